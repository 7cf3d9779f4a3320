package io.collector.jumpcloud.state;

import java.time.Instant;

/**
 * Where a service's next pull starts: the newest event instant delivered to Devo. The ids delivered
 * in that instant's whole second travel beside it ({@link io.collector.jumpcloud.dedup.SecondIds}):
 * the next query starts at the whole second, so those come back and are dropped.
 * {@code historicDate} is the configured start it was computed from.
 */
public record ServiceState(Instant lastPolledTimestamp, Instant historicDate) {
    /** 2: the ids of the checkpoint's second are fingerprints in a file of their own (1: id strings inline). */
    public static final int PERSISTENCE_VERSION = 2;

    public static ServiceState initial(Instant historicDate) {
        return new ServiceState(historicDate, historicDate);
    }
}
