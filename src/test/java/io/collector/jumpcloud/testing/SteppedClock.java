package io.collector.jumpcloud.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A wall clock a test steps (NTP correcting it, a VM restored), over the real one or a fixed instant; UTC. */
public final class SteppedClock extends Clock {
    private final LongSupplier baseMs;
    private final AtomicLong offsetMs = new AtomicLong();

    private SteppedClock(LongSupplier baseMs) {
        this.baseMs = baseMs;
    }

    /** The real clock, stepped by the test. */
    public static SteppedClock overSystem() {
        return new SteppedClock(System::currentTimeMillis);
    }

    /** Stands at {@code t} until the test steps it. */
    public static SteppedClock at(Instant t) {
        long ms = t.toEpochMilli();
        return new SteppedClock(() -> ms);
    }

    public void step(Duration d) {
        offsetMs.addAndGet(d.toMillis());
    }

    /** From now on this far from the base (the real clock, or the fixed instant). */
    public void offset(Duration d) {
        offsetMs.set(d.toMillis());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public long millis() {
        return baseMs.getAsLong() + offsetMs.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
