package io.collector.jumpcloud.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FingerprintSetTest {
    @Test
    void objectIdsAreExactAndOtherIdsHashedWithoutMeeting() {
        IdFingerprint a = IdFingerprint.of("63c264c6c1bd55c1b7e901a4");
        assertEquals(new IdFingerprint((1L << 62) | 0x63c264c6L, 0xc1bd55c1b7e901a4L), a);
        assertEquals(a, IdFingerprint.parse(a.toString()));
        IdFingerprint allF = IdFingerprint.of("ffffffffffffffffffffffff");
        assertEquals(-1L, allF.lo(), "sixteen f digits are a value, not the not-hex mark");
        // upper case, a UUID, any other text: the hash form, top bit set
        for (String id : new String[] {"63C264C6C1BD55C1B7E901A4", "B54A6D20-41F7-3FB0-84A6-01CFD7F1481F", "id1", "", "63c264c6c1bd55c1b7e901ag"}) {
            IdFingerprint f = IdFingerprint.of(id);
            assertTrue(f.hi() < 0, id);
            assertEquals(f, IdFingerprint.of(id), "stable: " + id);
            assertEquals(f, IdFingerprint.parse(f.toString()));
        }
        assertNotEquals(IdFingerprint.of("63C264C6C1BD55C1B7E901A4"), a, "ids are case-sensitive");
    }

    /** The set against a plain model of its ring (removed ids leave holes) through random operations. */
    @Test
    void behavesLikeABoundedRingOfIds() {
        ringOf(300, 1000, 300_000);
        ringOf(5000, 12_000, 200_000); // grows from 1024 slots to 5000 on the way
    }

    private static void ringOf(int cap, int distinct, int steps) {
        Random r = new Random(42);
        FingerprintSet set = new FingerprintSet(cap);
        java.util.List<Long> ring = new java.util.ArrayList<>(); // oldest first; null = a removed id's slot
        Set<Long> model = new HashSet<>();
        for (int step = 0; step < steps; step++) {
            long id = r.nextInt(distinct) + 1; // few distinct values: many hits, probe collisions and removals
            long h = id * 0x100000001L, l = id ^ 0x5555;
            switch (r.nextInt(10)) {
                case 0, 1 -> {
                    boolean removed = model.remove(id);
                    assertEquals(removed, set.remove(h, l), "remove " + id + " at step " + step);
                    if (removed) {
                        ring.set(ring.indexOf(id), null);
                    }
                }
                case 2, 3 -> assertEquals(model.contains(id), set.contains(h, l), "contains " + id + " at step " + step);
                default -> {
                    boolean added = !model.contains(id);
                    assertEquals(added, set.add(h, l), "add " + id + " at step " + step);
                    if (added) {
                        if (ring.size() == cap) {
                            Long oldest = ring.remove(0);
                            if (oldest != null) {
                                model.remove(oldest);
                            }
                        }
                        ring.add(id);
                        model.add(id);
                    }
                }
            }
            assertEquals(model.size(), set.size());
        }
    }

    @Test
    void forgetsTheOldestFirstAndKeepsTheRest() {
        FingerprintSet set = new FingerprintSet(3);
        for (long i = 1; i <= 5; i++) {
            assertTrue(set.add(i, i));
        }
        assertFalse(set.contains(1, 1));
        assertFalse(set.contains(2, 2));
        assertTrue(set.contains(3, 3) && set.contains(4, 4) && set.contains(5, 5));
        assertTrue(set.remove(4, 4));
        assertTrue(set.add(6, 6)); // the ring is full (3 used, 1 a hole): the oldest slot, 3, goes
        assertFalse(set.contains(3, 3));
        assertTrue(set.contains(5, 5) && set.contains(6, 6));
        assertEquals(2, set.size());
    }

    @Test
    void seenIdsHoldAHundredThousandUuidsInBoundedMemory() {
        SeenIds seen = new SeenIds(100_000);
        Set<String> last = new HashSet<>();
        for (int i = 0; i < 300_000; i++) {
            String id = UUID.randomUUID().toString().toUpperCase();
            assertTrue(seen.add(id));
            if (i >= 200_000) {
                last.add(id);
            }
        }
        assertEquals(100_000, seen.size());
        for (String id : last) {
            assertTrue(seen.contains(id));
        }
    }
}
