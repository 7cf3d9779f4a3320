package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user who forgot a setting learns which one, in plain words, and nothing runs. */
class BadSettingsIT {
    @TempDir
    Path dir;

    @Test
    void missingApiKeyFailsAtStartNamingTheSetting() throws Exception {
        try (CollectorProcess c = new CollectorProcess(dir).env("COLLECTOR_STATE_DIR", dir.resolve("state").toString()).start()) {
            int rc = c.waitFor(60);
            assertEquals(2, rc, c.stderr());
            String err = c.stderr();
            assertTrue(err.contains("ERROR: configuration: jumpcloud.api-key: is required (InitVariablesError 1)"), err);
            assertTrue(err.contains("JUMPCLOUD_API_KEY"), err);
            assertFalse(err.contains("\tat "), "no stack trace for a configuration mistake:\n" + err);
            assertEquals("", c.stdout());
        }
    }

    @Test
    void badHistoricDateGivesTheFormatAndAnExample() throws Exception {
        try (CollectorProcess c = new CollectorProcess(dir).env("JUMPCLOUD_API_KEY", "k")
                .env("JUMPCLOUD_HISTORIC_DATE_UTC", "01/02/2026").env("COLLECTOR_STATE_DIR", dir.resolve("state").toString()).start()) {
            assertEquals(2, c.waitFor(60));
            assertTrue(c.stderr().contains("jumpcloud.historic-date-utc: '01/02/2026' is not valid (InitVariablesError 3): expected where the first pull starts, in UTC, format yyyy-MM-dd HH:mm:ss, e.g. 2026-01-31 23:00:00"), c.stderr());
        }
    }

    @Test
    void aWrongApiKeyStopsTheStartWithSetupError100AndNeverPrintsTheKey() throws Exception {
        String key = "a-very-recognisable-wrong-key-" + System.nanoTime();
        try (io.collector.jumpcloud.sim.JumpCloudSimulator sim = new io.collector.jumpcloud.sim.JumpCloudSimulator();
             CollectorProcess c = new CollectorProcess(dir).env("JUMPCLOUD_API_KEY", key).env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                     .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString()).start()) {
            assertEquals(2, c.waitFor(60), c.stderr());
            assertTrue(c.stderr().contains("ERROR: configuration: jumpcloud.api-key: SetupError 100: JumpCloud refused the API key (HTTP 401"), c.stderr());
            assertFalse(c.stderr().contains(key) || c.stdout().contains(key), "the key is never printed");
            assertEquals(1, sim.eventRequests().size());
        }
    }
}
