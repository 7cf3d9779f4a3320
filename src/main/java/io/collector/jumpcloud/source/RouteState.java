package io.collector.jumpcloud.source;

import io.collector.jumpcloud.completeness.CountLedger;
import io.collector.jumpcloud.dedup.IdFingerprint;
import io.collector.jumpcloud.dedup.SecondIds;
import io.collector.jumpcloud.dedup.SeenIds;
import io.collector.jumpcloud.observe.CollectorMetrics;
import io.collector.jumpcloud.state.OrganizationStates;
import io.collector.jumpcloud.state.ServiceState;
import io.collector.jumpcloud.state.StateFileException;
import io.collector.jumpcloud.state.StateStore;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one service's route keeps between pulls: its persisted state, its seen ids, and a guard
 * so that two pulls of one service never overlap.
 */
final class RouteState {
    private static final Logger LOG = LoggerFactory.getLogger(RouteState.class);

    private final String service;
    private final String org;
    private final String name;
    private final String stateKey;
    private final String legacyStateKey;
    private final long countWindowSeconds;
    private CountLedger ledger;
    private final StateStore store;
    private final SeenIds seen;
    private final Instant historicDate;
    /** Whether jumpcloud.historic-date-utc was set: only a date the user set (and changed) resets a state. */
    private final boolean historicDateGiven;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean firstPageDelivered;
    /** Where the route is: the last delivered page's checkpoint (also on disk unless {@link #unsaved}). */
    private ServiceState state;
    private SecondIds secondIds;
    /** Why the last state write failed while the checkpoint in memory is ahead of the file; null when saved. */
    private volatile String unsaved;
    private int unsavedTries;
    /** The elements this route set aside lately: one that comes again (its page read again) is not written twice. */
    private final SeenIds quarantined = new SeenIds(10_000);
    /** Where the other state files of this route's organizations are (null: none looked for). */
    private final OrganizationStates orgStates;
    /** What routes of another shape sent of this route's organizations, until the checkpoint passes it. */
    private volatile OrgFloors floors = OrgFloors.none();

    /** Whether this element (its bytes) is set aside for the first time while this process runs. */
    boolean firstQuarantine(byte[] raw) {
        boolean first = quarantined.add(new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1));
        quarantined.commit();
        return first;
    }

    /** Whether a retry of the failed save is worth a log line: the first ones, then one in a hundred. */
    boolean sayUnsaved() {
        return unsavedTries <= 3 || unsavedTries % 100 == 0;
    }

    /** When the checkpoint was last said to be ahead (monotonic nanos), or null: a wall clock stepped back would silence it. */
    private volatile Long checkpointAheadSaidNanos;

    /** Whether to say (again) that the checkpoint is ahead of JumpCloud's now: the first time, then hourly. */
    boolean sayCheckpointAhead() {
        long now = System.nanoTime();
        Long said = checkpointAheadSaidNanos;
        if (said != null && now - said < java.util.concurrent.TimeUnit.HOURS.toNanos(1)) {
            return false;
        }
        checkpointAheadSaidNanos = now;
        return true;
    }

    /** Why this route does not run (its state file cannot be trusted); null when it runs. */
    private volatile String blocked;

    /**
     * @param org            the organization, several joined by commas (a group), or null for a single-tenant key
     * @param stateKey       the state file's name in the state directory ({@code <org>/<service>} with an organization)
     * @param legacyStateKey a state written before organizations had folders, adopted once if present (or null)
     * @param orgStates      where the states of its organizations under other route shapes are looked for (null: nowhere)
     */
    RouteState(String service, String org, String stateKey, String legacyStateKey, StateStore store, SeenIds seen,
                  Instant historicDate, boolean historicDateGiven, long countWindowSeconds, OrganizationStates orgStates) {
        this.service = service;
        this.org = org;
        this.orgStates = orgStates;
        this.name = org == null ? service : service + "@" + CollectorMetrics.orgLabel(org); // a group: <first>+<n>
        this.stateKey = stateKey;
        this.legacyStateKey = legacyStateKey;
        this.countWindowSeconds = countWindowSeconds;
        this.store = store;
        this.seen = seen;
        this.historicDate = historicDate;
        this.historicDateGiven = historicDateGiven;
    }

    String service() {
        return service;
    }

    String org() {
        return org;
    }

    String name() {
        return name;
    }

    String stateKey() {
        return stateKey;
    }

    SeenIds seen() {
        return seen;
    }

    boolean firstPageDelivered() {
        return firstPageDelivered;
    }

    boolean tryStart() {
        return running.compareAndSet(false, true);
    }

    void finished() {
        running.set(false);
    }

    /** A pull of this route is in progress. */
    boolean busy() {
        return running.get();
    }

    /**
     * Reads the persisted state once. It is reset only when the user set jumpcloud.historic-date-utc
     * to another date than the one it was computed from: without the setting, the default start (one
     * day ago) applies to a first start only, and a restart resumes exactly. A file that cannot be
     * trusted throws {@link StateFileException}: the route then does not run (see {@link #block}).
     */
    ServiceState state() {
        if (state == null) {
            ResumePoint.Start start = ResumePoint.read(store, stateKey, legacyStateKey, service, org, orgStates, historicDate,
                    historicDateGiven, name);
            state = start.state();
            secondIds = start.secondIds();
            boolean resumed = start.resumed();
            StateStore.Stored loaded = start.loaded();
            seen.sameSecond(secondIds);
            floors = start.floors();
            if (countWindowSeconds > 0) {
                ledger = resumed && loaded != null ? store.loadLedger(stateKey, state.lastPolledTimestamp(), countWindowSeconds).orElse(null) : null;
                if (ledger == null) {
                    // a fresh start checks from the historic date; a resumed one without a matching ledger
                    // (first run with the check, a crash before it was saved) cannot verify the current window
                    long from = resumed ? state.lastPolledTimestamp().getEpochSecond() + countWindowSeconds
                            : state.historicDate().getEpochSecond() + countWindowSeconds - 1; // nothing before the historic date
                    ledger = new CountLedger(countWindowSeconds, from);
                    if (resumed) {
                        LOG.info("[{}] Count check: no saved counts match the state; windows from {} on are checked", name,
                                ResumePoint.utc(Instant.ofEpochSecond(ledger.checkedUpTo())));
                    }
                }
            }
        }
        return state;
    }

    /** Whether a route of another shape already sent this event (its organization's floor). */
    boolean sentByAnotherShape(DiEvent e) {
        return floors.covers(e);
    }

    /** The state file cannot be trusted: this route does not run; the reason goes to the log (once) and to health. */
    void block(StateFileException e) {
        blocked = e.getMessage();
    }

    /** Why this route does not run, or null. */
    String blocked() {
        return blocked;
    }

    /** Why the state file lags the checkpoint in memory (its last write failed), or null. */
    String unsaved() {
        return unsaved;
    }

    /** The checkpoint for the lag gauge, without reading the state file from a metrics thread. */
    Instant checkpointOrNull() {
        ServiceState s = state;
        return s == null ? null : s.lastPolledTimestamp();
    }

    /** The count check's windows, or null when the check is off. */
    CountLedger ledger() {
        state();
        return ledger;
    }

    /**
     * Best effort: a ledger that could not be saved no longer matches the checkpoint, so after a
     * restart its windows are skipped (logged), never counted wrong.
     */
    void saveLedger() {
        if (ledger != null && state != null) {
            try {
                store.saveLedger(stateKey, state.lastPolledTimestamp(), ledger);
            } catch (RuntimeException e) {
                LOG.warn("[{}] Could not save the count check's windows ({}); after a restart the check resumes after the checkpoint",
                        name, e.getMessage());
            }
        }
    }

    /**
     * The page was written to Devo: the checkpoint moves over it, its ids are delivered (dropped if
     * they come again, whether or not the file can be written), then the state is saved. A failed save
     * throws {@link StateWriteException}: the route then asks for nothing new until a save succeeds
     * ({@link #saveUnsaved}), so a restart can only send again what was delivered meanwhile.
     */
    ServiceState commit(EventPage page, Instant now) {
        firstPageDelivered = true;
        ServiceState s = state();
        Instant newest = new Checkpoint(s.lastPolledTimestamp()).advance(page, now);
        boolean sameSecond = newest.getEpochSecond() == secondIds.second();
        int before = sameSecond ? secondIds.size() : 0;
        Checkpoint.record(page, newest, secondIds, now);
        if (secondIds.overflowed()) {
            LOG.warn("[{}] More than {} events delivered in the second of {}: the ones beyond are dropped by the bounded id memory only",
                    name, SecondIds.MAX, newest);
        }
        seen.commit();
        floors.passed(newest);
        if (ledger != null) {
            // every event of a page the route completed was delivered, now or by an earlier page, whatever the
            // route did with it: a route without the id memory (the Kamelet's, a user's) counts as the shipped one
            // (not one stamped after the checkpoint's bound: it is read again each pull until its time, and counted then)
            page.forEach(e -> {
                if (!e.getTimestamp().isAfter(now)) {
                    ledger.add(e.getTimestamp(), IdFingerprint.of(e.getId()));
                }
            });
        }
        state = new ServiceState(newest, s.historicDate());
        if (unsaved == null && sameSecond && newest.equals(s.lastPolledTimestamp()) && secondIds.size() == before) {
            return state; // nothing new (the checkpoint's second read again): the file already says all of it
        }
        try {
            if (unsaved != null || !sameSecond) {
                store.save(stateKey, state, secondIds);
            } else {
                store.saveAppending(stateKey, state, secondIds, before);
            }
            unsaved = null;
        } catch (RuntimeException e) {
            unsaved = e.getMessage();
            throw new StateWriteException(e.getMessage(), e);
        }
        return state;
    }

    /**
     * Before a pull asks for anything: writes the state a failed save left in memory only.
     * @return false while it still cannot be written (the pull then asks for nothing)
     */
    boolean saveUnsaved() {
        if (unsaved == null) {
            return true;
        }
        unsavedTries++;
        try {
            store.save(stateKey, state, secondIds);
            unsaved = null;
            unsavedTries = 0;
            LOG.info("[{}] The state file can be written again: saved at {}", name, state.lastPolledTimestamp());
            return true;
        } catch (RuntimeException e) {
            unsaved = e.getMessage();
            return false;
        }
    }

    /** The page failed: forget its ids so the re-pull sends them, and keep the old checkpoint. */
    int rollback() {
        return seen.rollback();
    }

    String describe(ServiceState s) {
        return store.describe(s, secondIds);
    }

}
