package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.collector.jumpcloud.testing.SteppedClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** JumpCloud's now when this machine's wall clock steps, and when a Date header cannot be JumpCloud's. */
class JumpCloudClockTest {
    /** A wall clock that can step, and a monotonic clock that only runs. */
    static final class Clocks {
        final SteppedClock wall = SteppedClock.at(Instant.parse("2026-12-07T12:00:00.250Z"));
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        void run(Duration d) {
            wall.step(d);
            nanos.addAndGet(d.toNanos());
        }
    }

    static String date(Instant t) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(t, ZoneOffset.UTC));
    }

    @Test
    void aWallClockSteppedBackOrForwardLeavesJumpCloudsNowWhereItIs() {
        Clocks c = new Clocks();
        JumpCloudClock clock = new JumpCloudClock(c.wall, c.nanos::get);
        Instant jumpCloud = c.wall.instant();
        clock.observe(date(jumpCloud));
        c.run(Duration.ofSeconds(10));
        assertEquals(jumpCloud.plusSeconds(10), clock.now());
        c.wall.step(Duration.ofHours(-3)); // NTP steps this machine's clock back
        c.run(Duration.ofSeconds(5));
        assertEquals(jumpCloud.plusSeconds(15), clock.now(), "stepped back: every checkpoint would be in the future");
        c.wall.step(Duration.ofHours(5)); // and then two hours ahead
        c.run(Duration.ofSeconds(5));
        assertEquals(jumpCloud.plusSeconds(20), clock.now(), "stepped ahead: the query would read into the lag");
        clock.observe(date(jumpCloud.plusSeconds(21))); // the next answer: JumpCloud's time again
        assertEquals(Instant.parse("2026-12-07T12:00:21.500Z"), clock.now(), "the header's second and half of it");
        assertEquals(Duration.ofHours(2).toMillis() - 1_000 + 250 - 500, clock.skewMs(), "the skew is the one now");
    }

    @Test
    void aDateHeaderFromBeforeThisCollectorWasWrittenIsNotJumpCloudsTime() {
        Clocks c = new Clocks();
        JumpCloudClock clock = new JumpCloudClock(c.wall, c.nanos::get);
        clock.observe("Thu, 01 Jan 1970 00:00:00 GMT");
        clock.observe("Mon, 01 Jan 2024 00:00:00 GMT");
        clock.observe("not a date");
        assertEquals(c.wall.instant(), clock.now(), "this machine's clock, as before any answer");
    }
}
