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

    @Test
    void keepsTheNewestInstantAndTheIdsOfItsWholeSecond() {
        Checkpoint c = new Checkpoint(ServiceState.initial(Instant.parse("2026-01-01T00:00:00Z")));
        c.add(event("a", "2026-01-01T00:00:01.9Z"));
        c.add(event("b", "2026-01-01T00:00:02.5Z"));
        // same millisecond, lower nanoseconds, later in tie-breaker order: still in the second
        c.add(event("c", "2026-01-01T00:00:02.100000001Z"));
        c.add(event("d", "2026-01-01T00:00:02Z"));
        ServiceState s = c.toState();
        assertEquals(Instant.parse("2026-01-01T00:00:02.5Z"), s.lastPolledTimestamp());
        assertEquals(List.of("b", "c", "d"), s.idsWithSameTimestamp());
        c.add(event("e", "2026-01-01T00:00:03Z"));
        assertEquals(List.of("e"), c.toState().idsWithSameTimestamp());
    }
}
