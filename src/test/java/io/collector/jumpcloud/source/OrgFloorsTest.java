package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.dedup.IdFingerprint;
import io.collector.jumpcloud.dedup.SecondIds;
import io.collector.jumpcloud.state.ServiceState;
import io.collector.jumpcloud.state.StateStore;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What another route shape sent of an organization is dropped, and nothing else, whatever the event's organization field says. */
class OrgFloorsTest {
    static final String A = "5bf6defbdcd8233029e0c598";
    static final String B = "64a1b2c3d4e5f60718293a4b";
    static final Instant FLOOR = Instant.parse("2026-12-07T03:00:10.500Z");
    static final String SENT_AT_FLOOR = "6b1614a0e81229a1a890f01e";

    private static StateStore.Stored floor() {
        SecondIds ids = new SecondIds(FLOOR.getEpochSecond());
        ids.add(IdFingerprint.of(SENT_AT_FLOOR));
        return new StateStore.Stored(new ServiceState(FLOOR, FLOOR.minusSeconds(3600)), ids);
    }

    private static DiEvent event(String id, Instant at, String organization) {
        return new DiEvent(PageBody.of(new byte[0]), 0, 0, id, at, "sso", organization);
    }

    @Test
    void aGroupDropsOnlyItsMembersEventsAtOrUnderTheirFloor() {
        OrgFloors floors = new OrgFloors(Map.of(A, floor()), null);
        assertTrue(floors.covers(event("6b1614a0e81229a1a890f011", FLOOR.minusSeconds(5), A)), "before the floor's second");
        assertTrue(floors.covers(event(SENT_AT_FLOOR, FLOOR.plusMillis(200), A.toUpperCase())), "in it, sent (the organization written in upper case)");
        assertFalse(floors.covers(event("6b1614a0e81229a1a890f012", FLOOR.minusMillis(300), A)), "in it, not sent: new");
        assertFalse(floors.covers(event("6b1614a0e81229a1a890f013", FLOOR.plusSeconds(1), A)), "after it");
        assertFalse(floors.covers(event("6b1614a0e81229a1a890f014", FLOOR.minusSeconds(5), B)), "another organization: no floor");
        assertFalse(floors.covers(event("6b1614a0e81229a1a890f015", FLOOR.minusSeconds(5), null)), "no organization field: sent");
        assertFalse(floors.covers(event("6b1614a0e81229a1a890f016", FLOOR.minusSeconds(5), "x".repeat(10_000))), "a junk one: sent");
        floors.passed(FLOOR.plusSeconds(1));
        assertTrue(floors.isEmpty(), "the checkpoint passed it: gone");
    }

    @Test
    void aRouteOfOneOrganizationNeedsNoOrganizationField() {
        OrgFloors floors = new OrgFloors(Map.of(A, floor()), A);
        assertTrue(floors.covers(event("6b1614a0e81229a1a890f011", FLOOR.minusSeconds(5), null)));
        floors.passed(FLOOR.plusMillis(400)); // the same second: still needed
        assertTrue(floors.covers(event(SENT_AT_FLOOR, FLOOR, null)));
    }
}
