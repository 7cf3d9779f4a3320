package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.dedup.IdFingerprint;
import io.collector.jumpcloud.dedup.SecondIds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {
    static EventPage page(String... idAndTs) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < idAndTs.length; i += 2) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(idAndTs[i]).append("\",\"timestamp\":\"").append(idAndTs[i + 1]).append("\"}");
        }
        return EventPage.parse(b.append("]").toString().getBytes(StandardCharsets.UTF_8), "sso");
    }

    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    @Test
    void anEventFromTheFutureCountsAsNow() {
        EventPage p = page("f", "2026-06-01T00:10:00Z");
        Instant c = new Checkpoint(Instant.parse("2026-01-01T00:00:00Z")).advance(p, NOW);
        assertEquals(NOW, c);
        SecondIds ids = new SecondIds(0);
        Checkpoint.record(p, c, ids, NOW);
        assertTrue(ids.contains(IdFingerprint.of("f")));
    }

    @Test
    void keepsTheNewestInstantAndTheIdsOfItsWholeSecond() {
        EventPage p = page("a", "2026-01-01T00:00:01.9Z", "b", "2026-01-01T00:00:02.5Z",
                // same millisecond, lower nanoseconds, later in tie-breaker order: still in the second
                "c", "2026-01-01T00:00:02.100000001Z", "d", "2026-01-01T00:00:02Z");
        Instant c = new Checkpoint(Instant.parse("2026-01-01T00:00:00Z")).advance(p, NOW);
        assertEquals(Instant.parse("2026-01-01T00:00:02.5Z"), c);
        SecondIds ids = new SecondIds(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond());
        Checkpoint.record(p, c, ids, NOW);
        assertEquals(3, ids.size());
        for (String id : List.of("b", "c", "d")) {
            assertTrue(ids.contains(IdFingerprint.of(id)), id);
        }
        assertFalse(ids.contains(IdFingerprint.of("a")));
        EventPage next = page("e", "2026-01-01T00:00:03Z");
        Instant c2 = new Checkpoint(c).advance(next, NOW);
        Checkpoint.record(next, c2, ids, NOW);
        assertEquals(1, ids.size(), "a later second starts its record again");
        assertTrue(ids.contains(IdFingerprint.of("e")));
    }
}
