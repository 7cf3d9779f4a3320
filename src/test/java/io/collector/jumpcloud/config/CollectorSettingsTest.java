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

    @Test
    void missingApiKeyNamesTheSetting() {
        SettingsException e = assertThrows(SettingsException.class, () -> settings(new HashMap<>()));
        assertEquals("jumpcloud.api-key", e.setting());
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
            {CollectorSettings.HISTORIC_DATE, "2026/11/01", "yyyy-MM-dd HH:mm:ss"},
            {CollectorSettings.HISTORIC_DATE, "2026-12-01 00:00:00", "later than now"},
            {CollectorSettings.SERVICES, "directory,printers", "unknown service 'printers'"},
            {CollectorSettings.SERVICES, "all,sso", "either 'all'"},
            {CollectorSettings.PAGE_SIZE, "20000", "1..10000"},
            {CollectorSettings.PAGE_SIZE, "ten", "not a whole number"},
            {CollectorSettings.POLL_INTERVAL, "-5", "out of range"},
            {CollectorSettings.BASE_URL, "ftp://x", "http(s) URL"},
            {CollectorSettings.DEVO_PORT, "70000", "out of range"},
            {"devo.table.sso", "my table", "not a Devo table"},
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
    }
}
