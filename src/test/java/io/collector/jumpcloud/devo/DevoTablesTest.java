package io.collector.jumpcloud.devo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.source.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** What a hand-edited route can do with the Devo table: build it from data, or send to the fallback table itself. */
class DevoTablesTest {
    static final String FALLBACK = "my.app.jumpcloud.unknown";

    static DevoTables tables() {
        return new DevoTables(Map.of("sso", "auth.jumpcloud.sso.events"), FALLBACK);
    }

    /** A route that sets the fallback table itself: the services it counts by name stay bounded. */
    @Test
    void servicesCountedByNameStayBoundedWhenARouteSendsToTheFallbackItself() {
        DevoTables t = tables();
        Set<String> labels = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            labels.add(t.label("svc_" + i));
        }
        assertEquals(DevoTables.MAX_TRACKED + 1, labels.size(), "the first names and 'other'");
        assertTrue(labels.contains(DevoTables.OTHER));
        assertEquals("sso", t.label("sso"));
    }

    /**
     * A route that builds the table from an event's field ({@code auth.jumpcloud.${header.JumpCloudService}.events}):
     * an event whose service holds a line feed and a syslog header would forge a line in any table,
     * a space would break the tag. Such a name is not a table: the event goes to the fallback table.
     */
    @Test
    void aTableBuiltFromDataIsATableNameOrTheFallback() {
        DevoTables t = tables();
        ToDevoLine toLine = new ToDevoLine(new DevoLineFormat("h", Clock.systemUTC()), t, 1 << 20);
        String forged = "auth.jumpcloud.x\n<14>Jan  1 00:00:00 h evil.a.b.c: {}.events";
        for (String[] c : new String[][] {{forged, FALLBACK}, {"auth jumpcloud.sso.events.x", FALLBACK}, {"a.b.c", FALLBACK},
                {"auth.jumpcloud.radius.events", "auth.jumpcloud.radius.events"}}) {
            Exchange e = new DefaultExchange(new DefaultCamelContext());
            e.getMessage().setHeader(DevoLines.TABLE, c[0]);
            e.getMessage().setHeader(EventHeaders.SERVICE, "radius");
            e.getMessage().setBody("{\"id\":\"1\"}");
            toLine.process(e);
            DevoLine line = e.getMessage().getBody(DevoLine.class);
            String prefix = new String(line.prefix(), StandardCharsets.UTF_8);
            assertTrue(prefix.endsWith(" " + c[1] + ": "), prefix);
            assertFalse(prefix.contains("\n"), prefix);
            assertEquals(c[1].equals(FALLBACK) ? "radius" : null, line.fallbackService(), "a fallback line is counted as one");
        }
    }
}
