package io.collector.jumpcloud.source;

import io.collector.jumpcloud.completeness.CountCheck;
import io.collector.jumpcloud.completeness.CountLedger;
import io.collector.jumpcloud.observe.CollectorMetrics;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The completeness check within a pull. Once the main query is done (and during a long backfill every
 * {@value #CHECK_EVERY_IDS} events), closed windows are counted by JumpCloud and compared with what
 * was sent; a window that misses events becomes the pull's next query, fetched again with the ids it
 * delivered dropped exactly.
 */
final class CountCheckStep {
    private static final Logger LOG = LoggerFactory.getLogger(CountCheckStep.class);
    /** A mid-backfill count check runs once this many delivered ids wait for one (memory bound). */
    static final int CHECK_EVERY_IDS = 100_000;
    /**
     * While JumpCloud gives no count (an endpoint that keeps failing), the delivered ids wait: past
     * this many the oldest windows are left unchecked, so a route's ledger stays within about 3 MB.
     */
    static final int MAX_UNCHECKED_IDS = 2 * CHECK_EVERY_IDS;

    private final EventCounts counts;
    private final CollectorMetrics metrics;

    CountCheckStep(EventCounts counts, CollectorMetrics metrics) {
        this.counts = counts;
        this.metrics = metrics;
    }

    /** After each page of the pull (and when it starts with windows only): checks, and starts a re-fetch that is due. */
    void afterPage(Pull pull, BooleanSupplier stopping) {
        RouteState p = pull.puller();
        CountLedger ledger = p.ledger();
        if (ledger == null || pull.failed()) {
            return;
        }
        if (pull.refetching() == null) {
            Long upTo = null;
            if (pull.queryDone()) {
                upTo = pull.mainEnd().getEpochSecond(); // every window before the main query's end was read
            } else if (ledger.size() >= CHECK_EVERY_IDS) {
                upTo = p.state().lastPolledTimestamp().getEpochSecond(); // before the checkpoint's second: all sent
            }
            if (upTo != null) {
                check(pull, ledger, upTo, stopping);
            }
            long[] leftUnchecked = ledger.takeOverflow();
            if (leftUnchecked != null) {
                LOG.warn("[{}] Count check: more than {} sent events waited in windows not checkable yet (a burst in one window, or "
                        + "an API answering the same events again); the windows from {} to {} are left unchecked", pull.name(),
                        CountLedger.MAX_IDS, utc(leftUnchecked[0]), utc(leftUnchecked[1]));
            }
        } else if (pull.queryDone()) {
            CountCheck.Shortfall w = pull.refetching();
            LOG.info("[{}] Count check: fetching {} to {} again sent {} missing events", pull.name(), utc(w.from()), utc(w.to()),
                    pull.recovered() - pull.recoveredAtWindowStart());
        }
        startRefetch(pull);
    }

    /** The next window the count check found short becomes the pull's query. */
    void startRefetch(Pull pull) {
        RouteState p = pull.puller();
        if (p.ledger() != null && pull.nextRefetch(p.ledger().pending())) {
            CountCheck.Shortfall w = pull.refetching();
            p.seen().refetching(w.deliveredIds()); // what was sent in the window is dropped as a duplicate, exactly
            LOG.warn("[{}] Count check: JumpCloud counts {} events from {} to {} but {} were sent: fetching that window again",
                    pull.name(), w.jumpcloud(), utc(w.from()), utc(w.to()), w.delivered());
        }
    }

    private void check(Pull pull, CountLedger ledger, long upTo, BooleanSupplier stopping) {
        RouteState p = pull.puller();
        long from = ledger.checkedUpTo();
        try {
            List<CountCheck.Shortfall> short_ = new CountCheck(ledger, (a, b) -> counts.count(p.service(), p.org(),
                    Instant.ofEpochSecond(a), Instant.ofEpochSecond(b), stopping)).check(upTo);
            pull.countChecked(short_.size());
            short_.forEach(x -> metrics.countMismatch(p.service(), p.org()));
            if (ledger.checkedUpTo() > from) {
                LOG.info("[{}] Count check from {} to {}: {}", pull.name(), utc(from), utc(ledger.checkedUpTo()),
                        short_.isEmpty() ? "every event JumpCloud counts was sent" : short_.size() + " window(s) miss events");
            }
            p.saveLedger();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("[{}] Count check from {} could not run ({}); it is tried again at the next pull", pull.name(), utc(from),
                    e.getMessage());
            if (ledger.size() > MAX_UNCHECKED_IDS) {
                int waiting = ledger.size();
                long upToNow = ledger.forgetOldestBeyond(CHECK_EVERY_IDS / 2);
                LOG.warn("[{}] Count check: {} sent events waited for a count JumpCloud did not give; the windows from {} to {} "
                        + "are left unchecked (at most {} events wait for a count)", pull.name(), waiting, utc(from), utc(upToNow),
                        MAX_UNCHECKED_IDS);
                p.saveLedger();
            }
        }
    }

    private static String utc(long epochSecond) {
        return Instant.ofEpochSecond(epochSecond).toString();
    }
}
