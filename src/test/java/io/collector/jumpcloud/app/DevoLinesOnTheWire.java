package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.SimEvent;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a Devo user checks in the tables: every event once, in its table, unchanged (KarafIT's too, from its own package). */
public final class DevoLinesOnTheWire {
    static final Pattern LINE = Pattern.compile("^<14>[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] (\\S+) (\\S+): (\\{.*})$");
    static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    public static final Map<String, String> TABLES = Map.of(
            "directory", "auth.jumpcloud.directory.events",
            "systems", "auth.jumpcloud.system.events",
            "sso", "auth.jumpcloud.sso.events",
            "radius", "auth.jumpcloud.radius.events",
            "ldap", "auth.jumpcloud.ldap.events",
            "mdm", "auth.jumpcloud.mdm.events");
    public static final String FALLBACK = "auth.jumpcloud.other.events";

    public record Line(String host, String table, String json, String id) {
    }

    public static Line parse(String line) {
        Matcher m = LINE.matcher(line);
        assertTrue(m.matches(), "not a Devo line: " + abbreviate(line));
        String id;
        try {
            id = JSON.readTree(m.group(3)).path("id").asText(null);
        } catch (Exception e) {
            throw new AssertionError("payload is not JSON: " + abbreviate(line), e);
        }
        assertTrue(id != null, "no id in " + abbreviate(line));
        return new Line(m.group(1), m.group(2), m.group(3), id);
    }

    /**
     * Asserts that the lines hold each expected event exactly once, in its service's table, byte for
     * byte as JumpCloud served it; returns the number of duplicate lines (0 expected by callers).
     */
    public static void assertExactlyOnce(Collection<SimEvent> expected, List<String> lines, String host) {
        Map<String, Line> byId = new HashMap<>();
        List<String> duplicates = new java.util.ArrayList<>();
        for (String l : lines) {
            Line p = parse(l);
            assertEquals(host, p.host());
            if (byId.put(p.id(), p) != null) {
                duplicates.add(p.id());
            }
        }
        assertEquals(List.of(), duplicates, "events delivered twice");
        Map<String, SimEvent> want = new HashMap<>();
        expected.forEach(e -> want.put(e.id(), e));
        List<String> missing = want.keySet().stream().filter(id -> !byId.containsKey(id)).sorted().toList();
        assertEquals(List.of(), missing.size() > 20 ? missing.subList(0, 20) : missing,
                missing.size() + " events missing of " + want.size());
        List<String> extra = byId.keySet().stream().filter(id -> !want.containsKey(id)).toList();
        assertEquals(List.of(), extra, "events that were not expected");
        for (SimEvent e : expected) {
            Line got = byId.get(e.id());
            assertEquals(TABLES.getOrDefault(e.service(), FALLBACK), got.table(), "table of " + e.service() + " event " + e.id());
            assertEquals(e.raw(), got.json(), "event " + e.id() + " changed on the way");
        }
    }

    static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
