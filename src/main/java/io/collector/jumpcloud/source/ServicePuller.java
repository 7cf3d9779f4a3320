package io.collector.jumpcloud.source;

import io.collector.jumpcloud.completeness.CountLedger;
import io.collector.jumpcloud.dedup.IdFingerprint;
import io.collector.jumpcloud.dedup.SeenIds;
import io.collector.jumpcloud.state.ServiceState;
import io.collector.jumpcloud.state.StateStore;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one service's route keeps between pulls: its persisted state, its seen ids, and a guard
 * so that two pulls of one service never overlap.
 */
final class ServicePuller {
    private static final Logger LOG = LoggerFactory.getLogger(ServicePuller.class);

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
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean firstPageDelivered;
    private ServiceState state;
    private Checkpoint checkpoint;

    /**
     * @param org            the organization, or null for a single-tenant key
     * @param stateKey       the state file's name in the state directory ({@code <org>/<service>} with an organization)
     * @param legacyStateKey a state written before organizations had folders, adopted once if present (or null)
     */
    ServicePuller(String service, String org, String stateKey, String legacyStateKey, StateStore store, SeenIds seen,
                  Instant historicDate, long countWindowSeconds) {
        this.service = service;
        this.org = org;
        this.name = org == null ? service : service + "@" + org;
        this.stateKey = stateKey;
        this.legacyStateKey = legacyStateKey;
        this.countWindowSeconds = countWindowSeconds;
        this.store = store;
        this.seen = seen;
        this.historicDate = historicDate;
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

    /** Reads the persisted state once, resetting it when historic_date_utc was changed. */
    ServiceState state() {
        if (state == null) {
            LOG.info("[{}] Reading persisted data from {}", name, store.file(stateKey).toAbsolutePath());
            ServiceState loaded = store.load(stateKey).orElse(null);
            if (loaded == null && legacyStateKey != null) {
                loaded = store.load(legacyStateKey).orElse(null);
                if (loaded != null) {
                    // the state of a single organization before organizations had folders: carry it over
                    LOG.info("[{}] Adopting the state of {} for organization {}", name, store.file(legacyStateKey).toAbsolutePath(), org);
                    store.save(stateKey, loaded);
                }
            }
            if (loaded == null) {
                state = ServiceState.initial(historicDate);
                LOG.info("[{}] No persisted state: starting from jumpcloud.historic-date-utc {}", name, utc(historicDate));
            } else if (!loaded.historicDate().equals(historicDate)) {
                state = ServiceState.initial(historicDate);
                LOG.warn("[{}] jumpcloud.historic-date-utc changed from {} to {}: the persisted state is reset and "
                        + "collection starts again from {}", name, utc(loaded.historicDate()), utc(historicDate), utc(historicDate));
                store.save(stateKey, state);
            } else {
                state = loaded;
                LOG.info("[{}] No changes detected in the persistence: resuming at {} ({} ids at that second)",
                        name, state.lastPolledTimestamp(), state.idsWithSameTimestamp().size());
            }
            seen.seed(state.idsWithSameTimestamp());
            if (countWindowSeconds > 0) {
                ledger = loaded == state ? store.loadLedger(stateKey, state.lastPolledTimestamp(), countWindowSeconds).orElse(null) : null;
                if (ledger == null) {
                    // a fresh start checks from the historic date; a resumed one without a matching ledger
                    // (first run with the check, a crash before it was saved) cannot verify the current window
                    long from = loaded == state ? state.lastPolledTimestamp().getEpochSecond() + countWindowSeconds
                            : state.historicDate().getEpochSecond() + countWindowSeconds - 1; // nothing before the historic date
                    ledger = new CountLedger(countWindowSeconds, from);
                    if (loaded == state) {
                        LOG.info("[{}] Count check: no saved counts match the state; windows from {} on are checked", name,
                                utc(Instant.ofEpochSecond(ledger.checkedUpTo())));
                    }
                }
            }
        }
        return state;
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

    Checkpoint checkpoint() {
        if (checkpoint == null) {
            checkpoint = new Checkpoint(state());
        }
        return checkpoint;
    }

    /** The page was written to Devo: move the checkpoint over it and persist it. */
    ServiceState commit(EventPage page, Instant now) {
        firstPageDelivered = true;
        Checkpoint c = checkpoint();
        page.forEach(e -> c.add(e, now));
        state = c.toState();
        store.save(stateKey, state);
        SeenIds.Delivered delivered = seen.commit(ledger != null); // the set only for the count check's ledger
        if (delivered != null) {
            page.forEach(e -> {
                IdFingerprint id = IdFingerprint.of(e.getId());
                if (delivered.contains(id)) {
                    ledger.add(e.getTimestamp(), id);
                }
            });
        }
        return state;
    }

    /** The page failed: forget its ids so the re-pull sends them, and keep the old checkpoint. */
    int rollback() {
        checkpoint = null;
        return seen.rollback();
    }

    String describe(ServiceState s) {
        return store.describe(s);
    }

    /** As jumpcloud.historic-date-utc is written (LocalDateTime.toString drops ":00" seconds). */
    private static final java.time.format.DateTimeFormatter SETTING_FORMAT = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private static String utc(Instant t) {
        String s = SETTING_FORMAT.format(t.atOffset(ZoneOffset.UTC));
        return t.getNano() == 0 ? s : s + String.format(".%09d", t.getNano()).replaceAll("0+$", "");
    }
}
