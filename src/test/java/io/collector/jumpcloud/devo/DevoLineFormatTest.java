package io.collector.jumpcloud.devo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class DevoLineFormatTest {
    @Test
    void theLineDevoSdksWriteInUtcWithASpacePaddedDay() {
        // the clock's zone is New York: the header must still be UTC
        Clock clock = Clock.fixed(Instant.parse("2026-11-05T03:04:05Z"), ZoneId.of("America/New_York"));
        DevoLineFormat f = new DevoLineFormat("collector-1", clock);
        assertEquals("<14>Nov  5 03:04:05 collector-1 auth.jumpcloud.sso.events: {\"id\":\"x\"}",
                f.line("auth.jumpcloud.sso.events", "{\"id\":\"x\"}"));
        Clock later = Clock.fixed(Instant.parse("2026-12-25T23:59:59Z"), ZoneId.of("UTC"));
        assertEquals("<14>Dec 25 23:59:59 h t.a.b.c: {}", new DevoLineFormat("h", later).line("t.a.b.c", "{}"));
    }
}
