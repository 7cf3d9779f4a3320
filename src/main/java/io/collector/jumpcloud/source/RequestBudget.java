package io.collector.jumpcloud.source;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One request budget for the API key, shared by every route (all services, all organizations) and
 * by the count check: adding services or organizations spreads the same request rate over more
 * routes instead of multiplying the load on JumpCloud. A token bucket (Bucket4j) refilled greedily
 * at {@code jumpcloud.max-requests-per-second}, with a burst of one second's worth.
 */
public final class RequestBudget {
    private final Bucket bucket;
    private final double perSecond;
    private final ReentrantLock turn = new ReentrantLock(true);
    private static final long LOOK_MS = 100;
    private static final long QUEUE_LOOK_MS = 250;

    public RequestBudget(double requestsPerSecond) {
        this.perSecond = requestsPerSecond;
        // a burst of one second's worth, refilled evenly: 2.5/s is 3 tokens per 1.2 s
        long tokens = (long) Math.max(1, Math.ceil(requestsPerSecond));
        Duration period = Duration.ofNanos(Math.round(tokens * 1e9 / requestsPerSecond));
        this.bucket = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(tokens).refillGreedy(tokens, period).build())
                .build();
    }

    public double perSecond() {
        return perSecond;
    }

    /**
     * Waits for a request slot. Gives up (false) when {@code stop} turns true, so a shutdown is never
     * held by the budget.
     */
    public boolean acquire(BooleanSupplier stop) throws InterruptedException {
        if (bucket.tryConsume(1)) {
            return true; // a slot is free: taken at once (a backfill's next page does not queue behind others)
        }
        // the waiters queue in their order and one at a time sleeps until the next slot: with many
        // routes waiting, all of them waking for every slot cost more CPU than the requests themselves
        while (!turn.tryLock(QUEUE_LOOK_MS, TimeUnit.MILLISECONDS)) {
            if (stop.getAsBoolean()) {
                return false;
            }
        }
        try {
            while (true) {
                var probe = bucket.tryConsumeAndReturnRemaining(1);
                if (probe.isConsumed()) {
                    return true;
                }
                if (stop.getAsBoolean()) {
                    return false;
                }
                long waitMs = Math.max(1, Math.min(LOOK_MS, probe.getNanosToWaitForRefill() / 1_000_000));
                Thread.sleep(waitMs);
            }
        } finally {
            turn.unlock();
        }
    }
}
