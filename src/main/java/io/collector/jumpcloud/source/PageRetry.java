package io.collector.jumpcloud.source;

import io.collector.jumpcloud.observe.CollectorMetrics;
import io.collector.jumpcloud.state.Quarantine;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A page request that failed: a 429, a 5xx, a network error or a broken page is asked again after
 * JumpCloud's Retry-After when it gives one, otherwise after an exponential backoff with jitter; an
 * answer over jumpcloud.max-page-bytes is asked again with half as many events (one event alone over
 * it is quarantined and skipped). Anything else (401, 403, 400, a cursor that loops), or the last
 * retry, ends the pull.
 */
final class PageRetry {
    private static final Logger LOG = LoggerFactory.getLogger(PageRetry.class);

    private final RetryPolicy policy;
    private final CollectorMetrics metrics;
    private final Quarantine quarantine;
    private final PullLog log;
    private final Clock clock;

    PageRetry(RetryPolicy policy, CollectorMetrics metrics, Quarantine quarantine, PullLog log, Clock clock) {
        this.policy = policy;
        this.metrics = metrics;
        this.quarantine = quarantine;
        this.log = log;
        this.clock = clock;
    }

    /**
     * Decides about a failed request of {@code pull}: returns when the pull goes on (after the wait),
     * throws when it ends ({@link GaveUpException} after the last retry).
     */
    void handle(Pull pull, Exception e, BooleanSupplier stopping) throws Exception {
        if (e instanceof PageTooLargeException big && big.query() != null) {
            tooLarge(pull, big);
            return;
        }
        if (!RetryPolicy.retryable(e)) {
            throw e;
        }
        metrics.retry(pull.service(), pull.org());
        int attempt = pull.retried();
        if (attempt > policy.maxRetries()) {
            throw new GaveUpException(attempt - 1, e);
        }
        long delay = policy.delayMillis(attempt, e, clock.instant());
        log.retry(pull, attempt, policy.maxRetries(), delay, e);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
        Object monitor = new Object();
        synchronized (monitor) {
            while (System.nanoTime() < end) {
                if (stopping.getAsBoolean()) {
                    throw new GaveUpException(attempt - 1, e); // shutting down: the checkpoint is where it was
                }
                monitor.wait(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
            }
        }
    }

    /**
     * An answer over jumpcloud.max-page-bytes: asked again for half as many events; one event alone
     * over it is quarantined (its bytes were never read) and the pull goes on after it, with the
     * cursor the answer's headers gave.
     */
    private void tooLarge(Pull pull, PageTooLargeException big) {
        PageQuery q = big.query();
        metrics.apiRequest(pull.service(), pull.org(), "events", "too_large");
        if (q.limit() > 1) {
            pull.reduceLimit(q.limit());
            LOG.warn("[{}] {} at {} events a page: asking for {} at a time until the answers fit", pull.name(), big.getMessage(),
                    q.limit(), Math.max(1, q.limit() / 2));
            return;
        }
        if (big.cursor() == null || big.cursor().equals(q.searchAfter())) {
            throw new IllegalStateException(big.getMessage() + " for a single event, and the answer gives no new cursor to go on after it");
        }
        String position = "the event after " + pull.positionOf(q);
        pull.skipOne(big.cursor());
        if (!pull.puller().firstQuarantine(big.cursor().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            return; // set aside already: its window fetched again, or its second read again
        }
        quarantine.write(pull.puller().stateKey(), pull.name(), "too_large", position, big.bytes(), null, clock.instant());
        metrics.quarantined(pull.service(), pull.org(), "too_large");
        LOG.warn("[{}] Quarantined {}: {} for that one event; its bytes were not read. The pull goes on after it (its entry in {}).",
                pull.name(), position, big.getMessage(), quarantine.file(pull.puller().stateKey()).toAbsolutePath());
    }
}
