package io.collector.jumpcloud.source;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Waits for a future while looking every 100 ms whether to give up, without the exception
 * {@code get(timeout)} throws each time it is not done yet: pulls waiting their turn in the request
 * budget look again all the time, and with many routes those exceptions (a stack trace each) were a
 * visible share of the collector's CPU.
 */
final class FutureWait {
    static final long LOOK_MS = 100;

    private FutureWait() {
    }

    /** @return true once {@code f} completed (normally or not), false as soon as {@code giveUp} says so */
    static boolean until(CompletableFuture<?> f, BooleanSupplier giveUp) throws InterruptedException {
        if (f.isDone()) {
            return true;
        }
        Object signal = new Object();
        f.whenComplete((r, t) -> {
            synchronized (signal) {
                signal.notifyAll();
            }
        });
        synchronized (signal) {
            while (!f.isDone()) {
                if (giveUp.getAsBoolean()) {
                    return false;
                }
                signal.wait(LOOK_MS);
            }
        }
        return true;
    }
}
