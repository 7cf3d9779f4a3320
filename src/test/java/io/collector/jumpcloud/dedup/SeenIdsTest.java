package io.collector.jumpcloud.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeenIdsTest {
    @Test
    void boundedCountsDuplicatesAndRollsBackAFailedPage() {
        SeenIds seen = new SeenIds(1000);
        for (int i = 0; i < 5000; i++) {
            assertTrue(seen.add("id" + i));
        }
        assertEquals(1000, seen.size(), "memory stays bounded");
        assertFalse(seen.add("id4999"));
        assertEquals(1, seen.duplicates());
        seen.commit();
        seen.add("p1");
        seen.add("p2");
        assertEquals(2, seen.rollback());
        assertTrue(seen.add("p1"), "a rolled-back id is new again, so the re-pull sends it");
    }

    @Test
    void partitionsAreIndependent() {
        EventIdRepository repo = new EventIdRepository(1000);
        repo.partition("sso").add("x");
        assertFalse(repo.partition("mdm").contains("x"));
    }
}
