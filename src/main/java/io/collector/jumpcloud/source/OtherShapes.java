package io.collector.jumpcloud.source;

import io.collector.jumpcloud.state.OrganizationStates;
import io.collector.jumpcloud.state.StateFileException;
import io.collector.jumpcloud.state.StateStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The states that routes of another shape (jumpcloud.orgs-per-request changed: organizations pulled
 * alone, then in groups, or in other groups) left for a route's organizations: where the route may
 * start, and what it must not send again.
 */
final class OtherShapes {
    private static final Logger LOG = LoggerFactory.getLogger(OtherShapes.class);

    private final String name;
    private final List<String> members;
    /** Per organization, the newest state another route shape saved for it. */
    private final Map<String, StateStore.Stored> newest;

    private OtherShapes(String name, List<String> members, Map<String, StateStore.Stored> newest) {
        this.name = name;
        this.members = members;
        this.newest = newest;
    }

    /**
     * Reads them. One whose historic date the user has since changed is not one to resume from; one
     * that cannot be trusted is said and left out (what its route sent may then be sent again).
     */
    static OtherShapes find(OrganizationStates orgStates, StateStore store, String service, String org, String ownKey,
                            Instant historicDate, boolean historicDateGiven, String name) {
        List<String> members = OrganizationStates.members(org);
        Map<String, StateStore.Stored> out = new HashMap<>();
        if (orgStates != null) {
            for (String m : members) {
                for (String key : orgStates.otherKeys(m, service, ownKey)) {
                    try {
                        StateStore.Stored s = store.load(key).orElse(null);
                        if (s != null && (!historicDateGiven || s.state().historicDate().equals(historicDate))
                                && (out.get(m) == null || s.state().lastPolledTimestamp().isAfter(out.get(m).state().lastPolledTimestamp()))) {
                            out.put(m, s);
                        }
                    } catch (StateFileException e) {
                        LOG.warn("[{}] The state file {} (organization {} under another route shape) cannot be trusted ({}): what its "
                                + "route sent may be sent again", name, e.file().toAbsolutePath(), m, e.problem());
                    }
                }
            }
        }
        return new OtherShapes(name, members, out);
    }

    /**
     * Where the route can go on when every one of its organizations was pulled by another shape: the
     * earliest of where each one is, its own checkpoint {@code own} (null: none) counting for each;
     * null when one of them has no other state.
     */
    Instant resumeAt(Instant own) {
        if (newest.isEmpty() || newest.size() < members.size()) {
            return null;
        }
        return newest.values().stream().map(s -> s.state().lastPolledTimestamp()).map(t -> own != null && own.isAfter(t) ? own : t)
                .min(Instant::compareTo).orElseThrow();
    }

    /** The floors of the organizations other shapes took to {@code checkpoint}'s second or beyond: what they sent is not sent again. */
    OrgFloors floorsFrom(Instant checkpoint) {
        long at = checkpoint.getEpochSecond();
        Map<String, StateStore.Stored> ahead = new HashMap<>();
        newest.forEach((m, s) -> {
            if (s.state().lastPolledTimestamp().getEpochSecond() >= at) {
                ahead.put(m, s);
            }
        });
        if (!ahead.isEmpty()) {
            LOG.info("[{}] {} of its organizations were pulled up to {} by routes of another shape: what those sent is dropped as sent",
                    name, ahead.size(), ahead.values().stream().map(s -> s.state().lastPolledTimestamp()).max(Instant::compareTo).orElseThrow());
        }
        return new OrgFloors(ahead, members.size() == 1 ? members.get(0) : null);
    }
}
