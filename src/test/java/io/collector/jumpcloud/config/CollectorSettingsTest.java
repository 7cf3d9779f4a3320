package io.collector.jumpcloud.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CollectorSettingsTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneId.of("UTC"));

    static CollectorSettings settings(Map<String, String> values) {
        return CollectorSettings.from(k -> Optional.ofNullable(values.get(k)), CLOCK);
    }

    static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put(CollectorSettings.API_KEY, "k-123");
        return m;
    }

    @Test
    void defaults() {
        CollectorSettings s = settings(minimal());
        assertEquals(List.of("all"), s.services());
        assertEquals("https://api.jumpcloud.com", s.baseUrl().toString());
        assertEquals(Instant.parse("2026-11-24T12:00:00Z"), s.historicDate());
        assertEquals(60000, s.pollIntervalMs());
        assertEquals(10000, s.pageSize());
        assertTrue(s.dryRun());
        assertEquals("auth.jumpcloud.system.events", s.tables().get("systems"));
        assertFalse(s.toString().contains("k-123"), "the key never appears in the settings line");
    }

    /**
     * An MSP's long lists: 5,000 organizations are read (one pattern over the whole list used to
     * overflow the stack in the schema validator at about a thousand); a bad one among them is named;
     * a value too long for a pattern is refused with its setting, not a StackOverflowError.
     */
    /**
     * One organization written twice, in capitals and not: two routes and two state folders would pull
     * it, and send each of its events twice. Refused, naming both; an exact repeat is read once.
     */
    @Test
    void anOrganizationListedTwiceInAnotherCaseIsRefused() {
        Map<String, String> m = minimal();
        m.put(CollectorSettings.ORG_ID, "5bf6defbdcd8233029e0c598, 64a1b2c3d4e5f60718293a4b, 5BF6DEFBDCD8233029E0C598");
        SettingsException e = assertThrows(SettingsException.class, () -> settings(m));
        assertEquals("jumpcloud.org-id: '5bf6defbdcd8233029e0c598' and '5BF6DEFBDCD8233029E0C598' are the same organization "
                + "(InitVariablesError 3): list it once", e.getMessage());
        m.put(CollectorSettings.ORG_ID, "5bf6defbdcd8233029e0c598,5bf6defbdcd8233029e0c598");
        assertEquals(List.of("5bf6defbdcd8233029e0c598"), settings(m).orgIds());
    }

    @Test
    void longListsAreReadAndTheirBadItemsNamed() {
        Map<String, String> m = minimal();
        List<String> orgs = new java.util.ArrayList<>();
        for (int i = 1; i <= 5000; i++) {
            orgs.add(String.format("5bf6%020x", i));
        }
        m.put(CollectorSettings.ORG_ID, String.join(", ", orgs));
        assertEquals(orgs, settings(m).orgIds());

        orgs.set(2500, "5bf6defbdcd8233029e0c59"); // 23 characters
        m.put(CollectorSettings.ORG_ID, String.join(",", orgs));
        SettingsException e = assertThrows(SettingsException.class, () -> settings(m));
        assertTrue(e.getMessage().startsWith("jumpcloud.org-id: '5bf6defbdcd8233029e0c59' is not valid (InitVariablesError 3)"), e.getMessage());

        Map<String, String> sv = minimal();
        sv.put(CollectorSettings.SERVICES, "directory, sso,,radius");
        e = assertThrows(SettingsException.class, () -> settings(sv));
        assertTrue(e.getMessage().startsWith("jumpcloud.services: '' is not valid (InitVariablesError 3)"), e.getMessage());

        Map<String, String> t = minimal();
        t.put("devo.table.sso", "a" + ".b".repeat(200_000));
        e = assertThrows(SettingsException.class, () -> settings(t));
        assertEquals("devo.table.sso", e.setting(), e.getMessage());
    }

    @Test
    void missingApiKeyNamesTheSetting() {
        SettingsException e = assertThrows(SettingsException.class, () -> settings(new HashMap<>()));
        assertEquals("jumpcloud.api-key", e.setting());
        assertTrue(e.getMessage().startsWith("jumpcloud.api-key: is required (InitVariablesError 1): the API key of a JumpCloud administrator"), e.getMessage());
        assertTrue(e.getMessage().contains("JUMPCLOUD_API_KEY"), e.getMessage());
    }

    @Test
    void historicDateIsUtcWhateverTheMachineZone() {
        Map<String, String> m = minimal();
        m.put(CollectorSettings.HISTORIC_DATE, "2026-11-01 08:30:00");
        assertEquals(Instant.parse("2026-11-01T08:30:00Z"), settings(m).historicDate());
    }

    @Test
    void badValuesNameTheSettingAndTheFix() {
        Object[][] cases = {
            {CollectorSettings.HISTORIC_DATE, "2026/11/01", "'2026/11/01' is not valid (InitVariablesError 3): expected where the first pull starts, in UTC, format yyyy-MM-dd HH:mm:ss (or RFC 3339), e.g. 2026-01-31 23:00:00"},
            {CollectorSettings.HISTORIC_DATE, "2026-02-30 00:00:00", "(InitVariablesError 11), e.g. 2026-01-31 23:00:00"},
            {CollectorSettings.HISTORIC_DATE, "2026-12-01 00:00:00", "later than now (InitVariablesError 12"},
            {CollectorSettings.SERVICES, "directory,SSO", "'directory,SSO' is not valid (InitVariablesError 3): expected all, or a comma list of JumpCloud services (directory, systems, sso,"},
            {CollectorSettings.SERVICES, "all,sso", "either 'all'"},
            {CollectorSettings.PAGE_SIZE, "20000", "expected events per page, a whole number from 1 to 10000"},
            {CollectorSettings.PAGE_SIZE, "ten", "'ten' is not valid (InitVariablesError 3)"},
            {CollectorSettings.POLL_INTERVAL, "-5", "a positive whole number"},
            {CollectorSettings.BASE_URL, "ftp://x", "expected JumpCloud's API base URL, scheme and host only, e.g. https://api.jumpcloud.com"},
            {CollectorSettings.DEVO_PORT, "70000", "1 to 65535"},
            {"devo.table.sso", "my table", "expected a Devo table: dot-separated words, at least four"},
            {CollectorSettings.HOSTNAME, "my host", "no spaces (RFC 5424)"},
            {CollectorSettings.HOSTNAME, "host\u001b[2J", "1 to 255 printable ASCII characters"},
            {CollectorSettings.HOSTNAME, "h".repeat(256), "1 to 255 printable ASCII characters"},
            {CollectorSettings.ORG_ID, "acme", "24-hex id"},
        };
        for (Object[] c : cases) {
            Map<String, String> m = minimal();
            m.put((String) c[0], (String) c[1]);
            SettingsException e = assertThrows(SettingsException.class, () -> settings(m), c[0] + "=" + c[1]);
            assertEquals(c[0], e.setting());
            assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
        }
    }

    @Test
    void devoHostNeedsTheThreePemFiles() {
        Map<String, String> m = minimal();
        m.put(CollectorSettings.DEVO_HOST, "collector-us.devo.io");
        SettingsException e = assertThrows(SettingsException.class, () -> settings(m));
        assertEquals(CollectorSettings.CERT_FILE, e.setting());
        assertTrue(e.getMessage().contains("is required when devo.host is set (InitVariablesError 1)"), e.getMessage());
    }

    @Test
    void theApiKeyIsNeverEchoed() {
        Map<String, String> m = minimal();
        m.put(CollectorSettings.API_KEY, "a key with spaces is still a key");
        settings(m);
        m.put(CollectorSettings.PAGE_SIZE, "0");
        SettingsException e = assertThrows(SettingsException.class, () -> settings(m));
        assertFalse(e.getMessage().contains("a key with spaces"));
    }

    @Test
    void regionChoosesTheApiHostAndBaseUrlWins() {
        Map<String, String> m = minimal();
        assertEquals("https://api.jumpcloud.com", settings(m).baseUrl().toString());
        m.put(CollectorSettings.REGION, "eu");
        assertEquals("https://api.eu.jumpcloud.com", settings(m).baseUrl().toString());
        m.put(CollectorSettings.REGION, "in");
        assertEquals("https://api.in.jumpcloud.com", settings(m).baseUrl().toString());
        m.put(CollectorSettings.BASE_URL, "http://localhost:8080");
        assertEquals("http://localhost:8080", settings(m).baseUrl().toString());
        m.put(CollectorSettings.REGION, "au");
        SettingsException e = assertThrows(SettingsException.class, () -> settings(m));
        assertEquals(CollectorSettings.REGION, e.setting());
        assertTrue(e.getMessage().contains("us (api.jumpcloud.com), eu"), e.getMessage());
    }

    @Test
    void lateEventsCountCheckAndBudgetHaveDefaultsAndLimits() {
        CollectorSettings s = settings(minimal());
        assertEquals(60, s.lagSeconds());
        assertEquals(300, s.countCheckWindowSeconds());
        assertEquals(10.0, s.maxRequestsPerSecond());
        Map<String, String> m = minimal();
        m.put(CollectorSettings.MAX_REQUESTS_PER_SECOND, "2.5");
        m.put(CollectorSettings.LAG, "0");
        m.put(CollectorSettings.COUNT_CHECK_WINDOW, "0");
        s = settings(m);
        assertEquals(2.5, s.maxRequestsPerSecond());
        assertEquals(0, s.lagSeconds());
        assertEquals(0, s.countCheckWindowSeconds());
        m.put(CollectorSettings.MAX_REQUESTS_PER_SECOND, "0");
        assertEquals(CollectorSettings.MAX_REQUESTS_PER_SECOND, assertThrows(SettingsException.class, () -> settings(m)).setting());
        m.put(CollectorSettings.MAX_REQUESTS_PER_SECOND, "5");
        m.put(CollectorSettings.LAG, "-1");
        assertEquals(CollectorSettings.LAG, assertThrows(SettingsException.class, () -> settings(m)).setting());
    }

    @Test
    void severalOrganizationsAndEveryServiceWithItsTable() {
        Map<String, String> m = minimal();
        m.put(CollectorSettings.ORG_ID, "5bf6defbdcd8233029e0c598, 64a1b2c3d4e5f60718293a4b");
        m.put(CollectorSettings.SERVICES, String.join(",", CollectorSettings.KNOWN_SERVICES));
        m.put("devo.table.password_manager", "my.jumpcloud.pwm.events");
        CollectorSettings s = settings(m);
        assertEquals(List.of("5bf6defbdcd8233029e0c598", "64a1b2c3d4e5f60718293a4b"), s.orgIds());
        assertEquals(16, s.services().size());
        assertEquals("my.jumpcloud.pwm.events", s.tables().get("password_manager"));
        assertEquals(null, s.tables().get("alerts"), "unmapped services go to the fallback table");
        m.put(CollectorSettings.ORG_ID, "5bf6defbdcd8233029e0c598,not-an-id");
        assertEquals(CollectorSettings.ORG_ID, assertThrows(SettingsException.class, () -> settings(m)).setting());
    }

    @Test
    void aServiceJumpCloudAddedLaterCanHaveItsOwnTable() {
        Map<String, String> m = minimal();
        m.put(CollectorSettings.SERVICES, "sso,device_trust");
        m.put("devo.table.device_trust", "my.jumpcloud.device_trust.events");
        assertEquals("my.jumpcloud.device_trust.events", settings(m).tables().get("device_trust"));
        m.put("devo.table.device_trust", "not a table");
        SettingsException e = assertThrows(SettingsException.class, () -> settings(m));
        assertTrue(e.getMessage().startsWith("devo.table.device_trust: 'not a table' is not valid (InitVariablesError 3)"), e.getMessage());
    }

    @Test
    void withAllAServiceFirstSeenInTheEventsFindsItsTableSetting() {
        Map<String, String> m = minimal();
        m.put("devo.table.device_trust", "my.jumpcloud.device_trust.events");
        CollectorSettings s = CollectorSettings.from(k -> Optional.ofNullable(m.get(k)), m.keySet(), java.time.Clock.systemUTC());
        io.collector.jumpcloud.devo.DevoTables t = new io.collector.jumpcloud.devo.DevoTables(s.tables(), s.fallbackTable());
        assertEquals("my.jumpcloud.device_trust.events", t.tableFor("device_trust"));
        assertEquals(0, t.fallbackEvents());
        assertEquals("auth.jumpcloud.other.events", t.tableFor("unmapped"));
        assertEquals(1, t.fallbackEvents());
        assertEquals("auth.jumpcloud.sso.events", t.tableFor("sso"));
        m.put("devo.table.broken", "x");
        SettingsException e = assertThrows(SettingsException.class,
                () -> CollectorSettings.from(k -> Optional.ofNullable(m.get(k)), m.keySet(), java.time.Clock.systemUTC()));
        assertEquals("devo.table.broken", e.setting(), "a bad table setting stops the start, named");
    }

    @Test
    void anEventsServiceIsNeverASettingsNameAndUnknownOnesAreBounded() {
        io.collector.jumpcloud.devo.DevoTables t = new io.collector.jumpcloud.devo.DevoTables(settings(minimal()).tables(),
                "auth.jumpcloud.other.events");
        for (String odd : List.of("x.y{{jumpcloud.api-key}}", "${sys:user.home}", "#{1+1}", "%s%n", "a\nb")) {
            assertEquals("auth.jumpcloud.other.events", t.tableFor(odd));
            assertEquals(io.collector.jumpcloud.devo.DevoTables.OTHER, t.label(odd));
        }
        for (int i = 0; i < 200; i++) {
            t.tableFor("svc_" + i);
        }
        long named = java.util.stream.IntStream.range(0, 200).filter(i -> t.label("svc_" + i).equals("svc_" + i)).count();
        assertEquals(io.collector.jumpcloud.devo.DevoTables.MAX_TRACKED, named, "the first 50 by name, the others as 'other'");
    }

    /** The API key crosses the network in clear over http: refused unless the host is this machine. */
    @Test
    void plainHttpOnlyToThisMachine() {
        Map<String, String> m = minimal();
        for (String ok : List.of("https://api.jumpcloud.com", "http://127.0.0.1:8080", "http://localhost:9",
                "http://127.1.2.3")) {
            m.put(CollectorSettings.BASE_URL, ok);
            assertEquals(ok, settings(m).baseUrl().toString());
        }
        for (String bad : List.of("http://api.jumpcloud.com", "http://10.0.0.5:8080", "http://localhost.example.com")) {
            m.put(CollectorSettings.BASE_URL, bad);
            SettingsException e = assertThrows(SettingsException.class, () -> settings(m), bad);
            assertEquals(CollectorSettings.BASE_URL, e.setting());
            assertTrue(e.getMessage().contains("plain http to another machine"), e.getMessage());
        }
    }
}
