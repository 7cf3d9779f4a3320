package io.collector.jumpcloud.source;

import io.collector.jumpcloud.dedup.SecondIds;
import io.collector.jumpcloud.state.OrganizationStates;
import io.collector.jumpcloud.state.ServiceState;
import io.collector.jumpcloud.state.StateStore;
import java.time.Instant;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a route goes on when it starts: its own state file (or the one of a single organization from
 * before organizations had folders), reset when the user changed jumpcloud.historic-date-utc, the
 * historic date for a first start, or where routes of another shape took its organizations
 * ({@link OtherShapes}) with the floors of what they sent.
 */
final class ResumePoint {
    private static final Logger LOG = LoggerFactory.getLogger(ResumePoint.class);

    /**
     * @param loaded  the route's own state as read (null: none)
     * @param resumed whether it goes on from a checkpoint (its own or another shape's) rather than from the historic date
     */
    record Start(ServiceState state, SecondIds secondIds, StateStore.Stored loaded, boolean resumed, OrgFloors floors) {
    }

    private ResumePoint() {
    }

    static Start read(StateStore store, String stateKey, String legacyStateKey, String service, String org, OrganizationStates orgStates,
                      Instant historicDate, boolean historicDateGiven, String name) {
        ServiceState state;
        SecondIds secondIds;
        LOG.info("[{}] Reading persisted data from {}", name, store.file(stateKey).toAbsolutePath());
        StateStore.Stored loaded = store.load(stateKey).orElse(null);
        if (loaded == null && legacyStateKey != null) {
            loaded = store.load(legacyStateKey).orElse(null);
            if (loaded != null) {
                // the state of a single organization before organizations had folders: carry it over
                LOG.info("[{}] Adopting the state of {} for organization {}", name, store.file(legacyStateKey).toAbsolutePath(), org);
                store.save(stateKey, loaded.state(), loaded.sameSecond());
            }
        }
        boolean resumed = false;
        boolean reset = false;
        OtherShapes shapes = OtherShapes.find(orgStates, store, service, org, stateKey, historicDate, historicDateGiven, name);
        Instant derived = loaded == null ? shapes.resumeAt(null) : null;
        if (derived != null) {
            // every organization of the route was pulled by a route of another shape: start at the earliest
            // of their checkpoints (each one's floor drops what its old route sent), not at the historic date
            state = new ServiceState(derived, historicDate);
            secondIds = new SecondIds(derived.getEpochSecond());
            resumed = true;
            LOG.info("[{}] No persisted state; its organizations were pulled by other routes (jumpcloud.orgs-per-request changed): "
                    + "starting at the earliest of their checkpoints, {}, without sending again what they sent", name, derived);
            store.save(stateKey, state, secondIds);
        } else if (loaded == null) {
            state = ServiceState.initial(historicDate);
            secondIds = new SecondIds(historicDate.getEpochSecond());
            LOG.info("[{}] No persisted state: starting from jumpcloud.historic-date-utc {}{}", name, utc(historicDate),
                    historicDateGiven ? "" : " (not set: one day before this first start)");
        } else if (historicDateGiven && !loaded.state().historicDate().equals(historicDate)) {
            state = ServiceState.initial(historicDate);
            secondIds = new SecondIds(historicDate.getEpochSecond());
            LOG.warn("[{}] jumpcloud.historic-date-utc changed from {} to {}: the persisted state is reset and "
                    + "collection starts again from {}", name, utc(loaded.state().historicDate()), utc(historicDate), utc(historicDate));
            store.save(stateKey, state, secondIds);
            reset = true;
        } else {
            state = loaded.state();
            secondIds = loaded.sameSecond();
            resumed = true;
            LOG.info("[{}] No changes detected in the persistence: resuming at {} ({} ids at that second){}",
                    name, state.lastPolledTimestamp(), secondIds.size(), historicDateGiven ? ""
                            : " (jumpcloud.historic-date-utc is not set: the default start applied to the first start only)");
        }
        Instant further = loaded != null && !reset ? shapes.resumeAt(state.lastPolledTimestamp()) : null;
        if (further != null && further.getEpochSecond() > state.lastPolledTimestamp().getEpochSecond()) {
            // routes of another shape took every organization of this route further than its own file says
            // (groups formed, then split again): go on from the earliest of where each organization is
            LOG.info("[{}] Its organizations were pulled further by routes of another shape (jumpcloud.orgs-per-request changed): "
                    + "resuming at {}, the earliest of where they are, instead of {}", name, further, state.lastPolledTimestamp());
            state = new ServiceState(further, state.historicDate());
            secondIds = new SecondIds(further.getEpochSecond());
            store.save(stateKey, state, secondIds);
        }
        return new Start(state, secondIds, loaded, resumed,
                reset ? OrgFloors.none() : shapes.floorsFrom(state.lastPolledTimestamp()));
    }

    /** As jumpcloud.historic-date-utc is written (LocalDateTime.toString drops ":00" seconds). */
    private static final java.time.format.DateTimeFormatter SETTING_FORMAT = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    static String utc(Instant t) {
        String s = SETTING_FORMAT.format(t.atOffset(ZoneOffset.UTC));
        return t.getNano() == 0 ? s : s + String.format(".%09d", t.getNano()).replaceAll("0+$", "");
    }
}
