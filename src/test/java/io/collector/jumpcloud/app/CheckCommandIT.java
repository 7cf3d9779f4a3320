package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar target/jumpcloud-devo-collector.jar --check}, as an operator runs it before the real start. */
class CheckCommandIT {
    static final TestPki pki = TestPki.shared();

    @TempDir
    Path dir;

    private CollectorProcess collector(JumpCloudSimulator sim, String key, int devoPort) throws java.io.IOException {
        return new CollectorProcess(dir).env("JUMPCLOUD_API_KEY", key).env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())
                .env("DEVO_HOST", "localhost").env("DEVO_PORT", Integer.toString(devoPort))
                .env("DEVO_TLS_CERT_FILE", pki.clientCert().toString()).env("DEVO_TLS_KEY_FILE", pki.clientKey().toString())
                .env("DEVO_TLS_CA_FILE", pki.ca().toString());
    }

    @Test
    void everyStepOkExitsZeroAndSendsNothing() throws Exception {
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             CollectorProcess c = collector(sim, JumpCloudSimulator.DEFAULT_API_KEY, devo.port()).start("--check")) {
            sim.addEvents(new io.collector.jumpcloud.sim.EventFactory().series(java.util.List.of("sso"),
                    java.time.Instant.now().minusSeconds(30), java.time.Duration.ofSeconds(1), 10));
            assertEquals(0, c.waitFor(60), c.stdout() + c.stderr());
            String out = c.stdout();
            assertTrue(out.contains("[OK]     configuration: services=all"), out);
            assertTrue(out.contains("[OK]     JumpCloud " + sim.baseUrl() + ": The JumpCloud credentials are valid"), out);
            assertTrue(out.contains("[OK]     Devo localhost:" + devo.port() + ": TLS connection with the client certificate"), out);
            assertTrue(out.contains("Check OK"), out);
            assertEquals(1, sim.eventRequests().size(), "one real query");
            Thread.sleep(300);
            assertEquals(0, devo.lineCount(), "nothing sent");
            assertFalse(Files.exists(dir.resolve("state")), "no state written");
            assertFalse(out.contains(JumpCloudSimulator.DEFAULT_API_KEY) || c.stderr().contains(JumpCloudSimulator.DEFAULT_API_KEY));
        }
    }

    @Test
    void aWrongKeyAndAnUnreachableRelayAreEachReportedAndExitOne() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String key = "wrong-key-" + System.nanoTime();
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             CollectorProcess c = collector(sim, key, closedPort).start("--check")) {
            assertEquals(1, c.waitFor(60), c.stdout() + c.stderr());
            String out = c.stdout();
            assertTrue(out.contains("[OK]     configuration"), out);
            assertTrue(out.contains("[FAILED] JumpCloud " + sim.baseUrl() + ": SetupError 100: JumpCloud refused the API key (HTTP 401"), out);
            assertTrue(out.contains("[FAILED] Devo localhost:" + closedPort + ": SenderError: cannot reach the relay"), out);
            assertTrue(out.contains("Check FAILED"), out);
            assertFalse(out.contains(key) || c.stderr().contains(key), "the key is never printed");
        }
    }

    @Test
    void aBadSettingIsReportedWithItsCode() throws Exception {
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             CollectorProcess c = collector(sim, "k", 1).env("JUMPCLOUD_PAGE_SIZE", "20000").start("--check")) {
            assertEquals(1, c.waitFor(60), c.stdout() + c.stderr());
            assertTrue(c.stdout().contains("[FAILED] configuration: InitVariablesError: jumpcloud.page-size: '20000' is not valid (InitVariablesError 3)"),
                    c.stdout());
            assertEquals(0, sim.eventRequests().size(), "no query with a bad configuration");
        }
    }
}
