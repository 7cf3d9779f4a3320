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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay's name is checked (SNI + hostname verification), and a refused client certificate loses nothing. */
class DevoTlsTest {
    static final TestPki pki = TestPki.shared();

    @TempDir
    Path dir;

    @Test
    void aRelayCertificateForAnotherNameStopsTheStartNamingDevoHost() throws Exception {
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver impostor = TlsLineReceiver.start(pki.wrongSanServerContext(), true)) {
            CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .devo(impostor.port(), pki.clientCert(), pki.clientKey(), pki.ca());
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, run::start);
            var problem = CollectorApplication.settingsProblem(e);
            assertTrue(problem != null && problem.getMessage().startsWith("devo.host: the certificate of the relay at localhost:"), String.valueOf(problem));
            run.close();
            assertEquals(List.of(), impostor.lines(), "nothing is written to a relay with the wrong name");
        }
    }

    @Test
    void aRefusedClientCertificateStopsTheStartWithAClearMessage() throws Exception {
        Path[] foreign = pki.foreignClient();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver relay = TlsLineReceiver.start(pki, true)) {
            sim.addEvents(new EventFactory().series(List.of("sso"), Instant.now().minus(10, ChronoUnit.MINUTES), Duration.ofMillis(100), 200));
            CollectorRun bad = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "200")
                    .devo(relay.port(), foreign[0], foreign[1], pki.ca());
            // TLS 1.3: the relay refuses after the handshake, while the collector starts: found before the
            // routes start, the start fails; found after, the collector stops itself (the jar exits 2 in
            // either case); the setting is named, and nothing was sent
            Exception failedStart = null;
            try {
                bad.start();
                CollectorRun.await(() -> bad.context().isStopped() || bad.context().isStopping(), Duration.ofSeconds(20), "the collector stops");
            } catch (Exception e) {
                failedStart = e;
            }
            var problem = CollectorApplication.settingsProblem(failedStart != null ? failedStart : bad.lateRefusal());
            System.out.println("refused certificate: " + (failedStart != null ? "the start failed" : "the collector stopped itself"));
            assertTrue(problem != null && problem.getMessage().matches("devo\\.tls\\.cert-file: the Devo relay localhost:[0-9]+ "
                    + "(refused the TLS connection|broke the TLS connection (in|after) the handshake).*check devo.tls.cert-file.*"), String.valueOf(problem));
            bad.close();
            assertTrue(relay.lines().isEmpty(), "nothing reached the relay: " + relay.lines().size());
            var state = new io.collector.jumpcloud.state.StateStore(dir.resolve("state")).load("all");
            assertTrue(state.isEmpty() || state.get().state().lastPolledTimestamp().isBefore(Instant.now().minus(11, ChronoUnit.MINUTES)),
                    "the checkpoint did not move past events that were not sent: " + state);
        }
    }

    /**
     * A relay slow to answer the hello (far away, or busy): a new connection's handshake lasts 400 ms,
     * and its writes waited twice that for a refusal. The relay's session ticket says its TLS took the
     * certificate: the writes wait the probe's grace after it (200 ms), not 800 ms.
     */
    @Test
    void aSlowHandshakesWritesGoAGraceAfterTheRelaysTicketNotTwiceItsTime() throws Exception {
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver relay = TlsLineReceiver.start(pki, true).helloDelay(Duration.ofMillis(400))) {
            sim.addEvents(f.series(List.of("sso"), from, Duration.ofMillis(100), 100));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "200").set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(relay.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                CollectorRun.await(() -> relay.lineCount() >= 100, Duration.ofSeconds(30), "the first 100");
                relay.dropConnections(); // the next page opens a connection of its own, the start long over
                sim.addEvents(f.series(List.of("sso"), from.plusSeconds(30), Duration.ofMillis(100), 100));
                CollectorRun.await(() -> relay.lineCount() >= 200, Duration.ofSeconds(30), "the next 100");
            }
            List<Long> delays = relay.firstLineDelaysMs();
            long ms = delays.get(delays.size() - 1);
            assertTrue(ms >= io.collector.jumpcloud.tls.ClientCertificateGate.MIN_WAIT_MS - 50 && ms < 600,
                    "the new connection's first line " + ms + " ms after its handshake (twice the handshake would be over 800)");
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), relay.lines(), "test-collector");
        }
    }

    /**
     * Once the probe reached the relay, the Devo producer opens its connection as the routes start,
     * while the first page is still being read: its handshake and its wait for a refusal are done
     * when the page comes (before, they began with the page).
     */
    @Test
    void theFirstConnectionIsOpenBeforeTheFirstPageComes() throws Exception {
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver relay = TlsLineReceiver.start(pki, true)) {
            sim.addEvents(new EventFactory().series(List.of("sso"), from, Duration.ofMillis(100), 100));
            sim.latency(Duration.ofMillis(3000));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(relay.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                CollectorRun.await(() -> relay.handshakes() >= 2, Duration.ofSeconds(2), "the probe's and the producer's handshakes");
                assertEquals(0, relay.lineCount(), "no page yet");
                CollectorRun.await(() -> relay.lineCount() >= 100, Duration.ofSeconds(30), "every event");
                Thread.sleep(300);
            }
            assertEquals(2, relay.handshakes(), "the first page went on the connection opened at the start");
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), relay.lines(), "test-collector");
        }
    }

    /**
     * Unlucky: the relay takes the start-up probe's connection, then stops listening before the Devo
     * producer (which opens its first connection as it starts, once the probe reached the relay)
     * connects. The collector starts anyway, and sends every event once when the relay is back.
     */
    @Test
    void aRelayGoneJustAfterTheProbeReachedItStopsNothing() throws Exception {
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        java.net.ServerSocket once = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        int port = once.getLocalPort();
        Thread relayOnce = new Thread(() -> {
            try (once; java.net.Socket tcp = once.accept()) {
                once.close(); // nothing listens on the port any more
                var s = (javax.net.ssl.SSLSocket) pki.serverContext().getSocketFactory().createSocket(tcp, null, tcp.getPort(), false);
                s.setUseClientMode(false);
                s.setNeedClientAuth(true);
                s.startHandshake();
                Thread.sleep(3000);
            } catch (Exception ended) {
                // the probe's end
            }
        }, "relay-once");
        relayOnce.setDaemon(true);
        relayOnce.start();
        try (JumpCloudSimulator sim = new JumpCloudSimulator()) {
            sim.addEvents(new EventFactory().series(List.of("sso"), from, Duration.ofMillis(100), 100));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "300").set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(port, pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                Thread.sleep(1000);
                try (TlsLineReceiver back = TlsLineReceiver.start(pki, true, port)) {
                    CollectorRun.await(() -> back.lineCount() >= 100, Duration.ofSeconds(30), "every event once the relay is back");
                    Thread.sleep(500);
                    DevoLinesOnTheWire.assertExactlyOnce(sim.events(), back.lines(), "test-collector");
                }
            }
        }
    }

    @Test
    void aRelayThatStartsRefusingTheCertificateLosesNothing() throws Exception {
        // TLS 1.3: the refusal comes after the handshake; the pages written meanwhile must not count as sent
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("radius", "sso"), from, Duration.ofMillis(100), 300));
            TlsLineReceiver good = TlsLineReceiver.start(pki, true);
            int port = good.port();
            List<String> received = new java.util.ArrayList<>();
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "300").set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(port, pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                CollectorRun.await(() -> good.lineCount() >= 300, Duration.ofSeconds(30), "the first 300");
                good.close();
                received.addAll(good.lines());
                try (TlsLineReceiver refusing = TlsLineReceiver.start(pki.refusingServerContext(), true, port)) {
                    sim.addEvents(f.series(List.of("mdm"), from.plusSeconds(40), Duration.ofMillis(100), 200));
                    CollectorRun.await(() -> log.contains("refused the client certificate"), Duration.ofSeconds(20), "the refusal");
                    assertTrue(refusing.lines().isEmpty());
                }
                try (TlsLineReceiver back = TlsLineReceiver.start(pki, true, port)) {
                    CollectorRun.await(() -> back.lineCount() >= 200, Duration.ofSeconds(30), "the rest once the relay accepts again");
                    Thread.sleep(700);
                    received.addAll(back.lines());
                }
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), received, "test-collector");
            log.assertNoSecrets(JumpCloudSimulator.DEFAULT_API_KEY, pki.clientKey());
        }
    }
}
