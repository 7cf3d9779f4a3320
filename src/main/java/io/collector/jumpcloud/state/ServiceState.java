package io.collector.jumpcloud.state;

import java.time.Instant;
import java.util.List;

/**
 * Where a service's next pull starts: the newest event instant delivered to Devo and the ids of the
 * delivered events in that same second (the next query starts at the whole second, so those come
 * back and are dropped). {@code historicDate} is the configured start it was computed from.
 */
public record ServiceState(Instant lastPolledTimestamp, Instant historicDate, List<String> idsWithSameTimestamp) {
    public static final int PERSISTENCE_VERSION = 1;

    public ServiceState {
        idsWithSameTimestamp = List.copyOf(idsWithSameTimestamp);
    }

    public static ServiceState initial(Instant historicDate) {
        return new ServiceState(historicDate, historicDate, List.of());
    }
}
