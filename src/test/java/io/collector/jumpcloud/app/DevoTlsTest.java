package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay's name is checked (SNI + hostname verification), and a refused client certificate loses nothing. */
class DevoTlsTest {
    @TempDir
    static Path pkiDir;
    static TestPki pki;

    @TempDir
    Path dir;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create(pkiDir);
    }

    @Test
    void aRelayCertificateForAnotherNameIsRefusedAndNothingMoves() throws Exception {
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver impostor = TlsLineReceiver.start(pki.wrongSanServerContext(), true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(new EventFactory().series(List.of("sso"), from, Duration.ofMillis(100), 50));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.services", "sso")
                    .set("jumpcloud.historic-date-utc", CollectorEndToEndTest.historic(from.minusSeconds(1)))
                    .devo(impostor.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                CollectorRun.await(() -> log.contains("PullError"), Duration.ofSeconds(20), "a failed pull");
            }
            assertEquals(List.of(), impostor.lines(), "nothing is written to a relay with the wrong name");
            String err = log.lines().stream().filter(l -> l.contains("PullError")).findFirst().orElseThrow();
            assertTrue(err.contains("localhost") || err.toLowerCase().contains("certificate") || err.contains("subject"), err);
            assertTrue(log.contains("The checkpoint stays at " + from.minusSeconds(1).truncatedTo(ChronoUnit.SECONDS)), String.join("\n", log.lines()));
        }
    }

    @Test
    void aClientCertificateTheRelayRefusesIsRetriedAndNothingIsLost() throws Exception {
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        Path[] foreign = pki.foreignClient();
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver relay = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(new EventFactory().series(List.of("radius", "sso"), from, Duration.ofMillis(100), 300));
            String historic = CollectorEndToEndTest.historic(from.minusSeconds(1));
            try (CollectorRun bad = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.historic-date-utc", historic)
                    .devo(relay.port(), foreign[0], foreign[1], pki.ca())) {
                bad.start();
                CollectorRun.await(() -> log.contains("PullError"), Duration.ofSeconds(20), "a failed pull");
            }
            assertTrue(relay.lines().isEmpty(), "the relay took nothing from a foreign certificate");
            // the user fixes the certificate: everything arrives, once
            try (CollectorRun good = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.historic-date-utc", historic)
                    .devo(relay.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                good.start();
                CollectorRun.await(() -> relay.lineCount() >= 300, Duration.ofSeconds(30), "300 lines");
                Thread.sleep(1200); // one more pull: nothing more may come
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), relay.lines(), "test-collector");
        }
    }
}
