package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.collector.jumpcloud.state.ServiceState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {
    static DiEvent event(String id, String ts) {
        String json = "{\"id\":\"" + id + "\",\"timestamp\":\"" + ts + "\"}";
        return EventPage.parse(("[" + json + "]").getBytes(StandardCharsets.UTF_8), "sso").events().get(0);
    }

    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    @Test
    void anEventFromTheFutureCountsAsNow() {
        Checkpoint c = new Checkpoint(ServiceState.initial(Instant.parse("2026-01-01T00:00:00Z")));
        c.add(event("f", "2026-06-01T00:10:00Z"), NOW);
        assertEquals(NOW, c.toState().lastPolledTimestamp());
        assertEquals(List.of("f"), c.toState().idsWithSameTimestamp());
    }

    @Test
    void keepsTheNewestInstantAndTheIdsOfItsWholeSecond() {
        Checkpoint c = new Checkpoint(ServiceState.initial(Instant.parse("2026-01-01T00:00:00Z")));
        c.add(event("a", "2026-01-01T00:00:01.9Z"), NOW);
        c.add(event("b", "2026-01-01T00:00:02.5Z"), NOW);
        // same millisecond, lower nanoseconds, later in tie-breaker order: still in the second
        c.add(event("c", "2026-01-01T00:00:02.100000001Z"), NOW);
        c.add(event("d", "2026-01-01T00:00:02Z"), NOW);
        ServiceState s = c.toState();
        assertEquals(Instant.parse("2026-01-01T00:00:02.5Z"), s.lastPolledTimestamp());
        assertEquals(List.of("b", "c", "d"), s.idsWithSameTimestamp());
        c.add(event("e", "2026-01-01T00:00:03Z"), NOW);
        assertEquals(List.of("e"), c.toState().idsWithSameTimestamp());
    }
}
