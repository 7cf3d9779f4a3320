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
            assertTrue(c.stderr().contains("jumpcloud.historic-date-utc: '01/02/2026' is not valid (InitVariablesError 3): expected where the first pull starts, in UTC, format yyyy-MM-dd HH:mm:ss (or RFC 3339), e.g. 2026-01-31 23:00:00"), c.stderr());
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

    /**
     * A TLS 1.3 relay refuses a client certificate after the handshake, so the refusal may be found
     * before the routes start (the start fails) or just after (the collector stops itself): either
     * way the jar exits 2 naming the setting, and the relay received nothing.
     */
    @Test
    void aClientCertificateTheRelayRefusesExits2NamingTheSetting() throws Exception {
        var pki = io.collector.jumpcloud.testing.TestPki.shared();
        refusedCertificateExits2(pki, pki.serverContext(), pki.foreignClient());
    }

    /** The refusal comes 0.7 s after the handshake: found by the start-up probe after the routes started. */
    @Test
    void aClientCertificateASlowRelayRefusesExits2NamingTheSetting() throws Exception {
        var pki = io.collector.jumpcloud.testing.TestPki.shared();
        refusedCertificateExits2(pki, pki.slowRefusingServerContext(java.time.Duration.ofMillis(700)), new Path[] {pki.clientCert(), pki.clientKey()});
    }

    private void refusedCertificateExits2(io.collector.jumpcloud.testing.TestPki pki, javax.net.ssl.SSLContext relayTls, Path[] foreign) throws Exception {
        java.time.Instant from = java.time.Instant.now().minus(1, java.time.temporal.ChronoUnit.HOURS);
        try (io.collector.jumpcloud.sim.JumpCloudSimulator sim = new io.collector.jumpcloud.sim.JumpCloudSimulator();
             io.collector.jumpcloud.testing.TlsLineReceiver relay = io.collector.jumpcloud.testing.TlsLineReceiver.start(relayTls, true)) {
            sim.addEvents(new io.collector.jumpcloud.sim.EventFactory().series(java.util.List.of("sso"), from, java.time.Duration.ofMillis(100), 500));
            try (CollectorProcess c = new CollectorProcess(dir)
                    .env("JUMPCLOUD_API_KEY", io.collector.jumpcloud.sim.JumpCloudSimulator.DEFAULT_API_KEY)
                    .env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                    .env("JUMPCLOUD_POLL_INTERVAL", "200")
                    .env("JUMPCLOUD_HISTORIC_DATE_UTC", CollectorRun.historic(from.minusSeconds(10)))
                    .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())
                    .env("DEVO_HOST", "localhost").env("DEVO_PORT", Integer.toString(relay.port()))
                    .env("DEVO_TLS_CERT_FILE", foreign[0].toString())
                    .env("DEVO_TLS_KEY_FILE", foreign[1].toString())
                    .env("DEVO_TLS_CA_FILE", pki.ca().toString())
                    .start()) {
                assertEquals(2, c.waitFor(60), c.stderr());
                System.out.println("refused certificate (jar): " + (c.stderr().contains("the collector stops") ? "the collector stopped itself" : "the start failed"));
                assertTrue(c.stderr().contains("ERROR: configuration: devo.tls.cert-file: the Devo relay localhost:" + relay.port()), c.stderr());
                assertTrue(c.stderr().contains("check devo.tls.cert-file"), c.stderr());
                assertEquals(0, relay.lines().size(), "nothing reached the relay");
                LogCapture.assertNoSecrets(c.stderr() + c.stdout(), io.collector.jumpcloud.sim.JumpCloudSimulator.DEFAULT_API_KEY, foreign[1]);
            }
        }
    }
}
