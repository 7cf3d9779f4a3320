package io.collector.jumpcloud.source;

import io.collector.jumpcloud.dedup.IdFingerprint;
import io.collector.jumpcloud.state.StateStore;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What routes of another shape already sent of this route's organizations (a group formed, split or
 * changed by jumpcloud.orgs-per-request): per organization, the checkpoint its other state file
 * holds and the ids of that second. An event at or under it was sent and is dropped, exactly as a
 * route's own checkpoint drops what comes back; once this route's checkpoint passes a floor, the
 * floor is gone.
 */
final class OrgFloors {
    private final Map<String, StateStore.Stored> floors;
    /** The route's one organization (its events need no organization field), or null for a group. */
    private final String onlyOrg;

    OrgFloors(Map<String, StateStore.Stored> floors, String onlyOrg) {
        this.floors = new ConcurrentHashMap<>();
        floors.forEach((org, f) -> this.floors.put(org.toLowerCase(Locale.ROOT), f)); // events name it in lower case
        this.onlyOrg = onlyOrg == null ? null : onlyOrg.toLowerCase(Locale.ROOT);
    }

    static OrgFloors none() {
        return new OrgFloors(Map.of(), null);
    }

    boolean isEmpty() {
        return floors.isEmpty();
    }

    /** Whether the event was sent by another route of its organization. */
    boolean covers(DiEvent e) {
        if (floors.isEmpty()) {
            return false;
        }
        String org = onlyOrg != null ? onlyOrg : e.getOrganization();
        StateStore.Stored f = org == null ? null : floors.get(org.toLowerCase(Locale.ROOT));
        if (f == null) {
            return false;
        }
        long second = e.getTimestamp().getEpochSecond();
        long floor = f.state().lastPolledTimestamp().getEpochSecond();
        return second < floor || second == floor && f.sameSecond().contains(IdFingerprint.of(e.getId()));
    }

    /** The route's checkpoint moved: the floors it passed are not needed any more. */
    void passed(Instant checkpoint) {
        if (!floors.isEmpty()) {
            floors.values().removeIf(f -> f.state().lastPolledTimestamp().getEpochSecond() < checkpoint.getEpochSecond());
        }
    }
}
