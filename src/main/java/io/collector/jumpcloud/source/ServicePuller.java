package io.collector.jumpcloud.source;

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
    private final String stateKey;
    private final StateStore store;
    private final SeenIds seen;
    private final Instant historicDate;
    private final AtomicBoolean running = new AtomicBoolean();
    private ServiceState state;
    private Checkpoint checkpoint;

    ServicePuller(String service, String stateKey, StateStore store, SeenIds seen, Instant historicDate) {
        this.service = service;
        this.stateKey = stateKey;
        this.store = store;
        this.seen = seen;
        this.historicDate = historicDate;
    }

    String service() {
        return service;
    }

    String stateKey() {
        return stateKey;
    }

    SeenIds seen() {
        return seen;
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
            LOG.info("[{}] Reading persisted data from {}", service, store.file(stateKey).toAbsolutePath());
            ServiceState loaded = store.load(stateKey).orElse(null);
            if (loaded == null) {
                state = ServiceState.initial(historicDate);
                LOG.info("[{}] No persisted state: starting from jumpcloud.historic-date-utc {}", service, utc(historicDate));
            } else if (!loaded.historicDate().equals(historicDate)) {
                state = ServiceState.initial(historicDate);
                LOG.warn("[{}] jumpcloud.historic-date-utc changed from {} to {}: the persisted state is reset and "
                        + "collection starts again from {}", service, utc(loaded.historicDate()), utc(historicDate), utc(historicDate));
                store.save(stateKey, state);
            } else {
                state = loaded;
                LOG.info("[{}] No changes detected in the persistence: resuming at {} ({} ids at that second)",
                        service, state.lastPolledTimestamp(), state.idsWithSameTimestamp().size());
            }
            seen.seed(state.idsWithSameTimestamp());
        }
        return state;
    }

    Checkpoint checkpoint() {
        if (checkpoint == null) {
            checkpoint = new Checkpoint(state());
        }
        return checkpoint;
    }

    /** The page was written to Devo: move the checkpoint over it and persist it. */
    ServiceState commit(EventPage page, Instant now) {
        Checkpoint c = checkpoint();
        page.forEach(e -> c.add(e, now));
        state = c.toState();
        store.save(stateKey, state);
        seen.commit();
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

    private static String utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC).toLocalDateTime().toString().replace('T', ' ');
    }
}
