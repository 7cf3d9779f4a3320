package io.collector.jumpcloud.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.collector.jumpcloud.testing.RsyslogServer;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayProbeTest {
    static final TestPki pki = TestPki.shared();

    @TempDir
    Path dir;

    /**
     * A TLS 1.3 relay's session ticket comes only once it took the client certificate: the verdict
     * comes a short grace after it, not at the end of the whole refusal window (at least 1 s), which
     * is what the first event of a start waited for.
     */
    @Test
    void aRelaysSessionTicketEndsTheWaitForARefusalEarly() throws Exception {
        try (TlsLineReceiver relay = TlsLineReceiver.start(pki, true)) {
            assertVerdictSoonAfterTheHandshake(pki, relay.port());
        }
    }

    /** The same with the real rsyslog (its OpenSSL driver) a Devo relay runs. */
    @Test
    void aRealRsyslogsSessionTicketEndsTheWaitEarlyAndItsRefusalIsStillARefusal() throws Exception {
        assumeTrue(RsyslogServer.available() || System.getenv("CI") != null, "rsyslogd is not installed");
        TestPki own = TestPki.create(dir.resolve("pki"));
        try (RsyslogServer rsyslog = RsyslogServer.start(dir.resolve("rsyslog"), own)) {
            assertVerdictSoonAfterTheHandshake(own, rsyslog.port());
            Path[] foreign = own.foreignClient();
            DevoTlsMaterial stranger = DevoTlsMaterial.load(foreign[0], foreign[1], Optional.empty(), own.ca(), Instant.now());
            TlsSetupException refused = assertThrows(TlsSetupException.class,
                    () -> RelayProbe.run(stranger.sslContext(), "127.0.0.1", rsyslog.port(), false));
            assertTrue(refused.getMessage().startsWith("devo.tls.cert-file: the Devo relay 127.0.0.1:"), refused.getMessage());
        }
    }

    /** A TLS 1.2 relay refuses a certificate inside the handshake: its end is the verdict, no wait after it. */
    @Test
    void aTls12RelaysHandshakeIsItsVerdict() throws Exception {
        try (javax.net.ssl.SSLServerSocket relay = (javax.net.ssl.SSLServerSocket) pki.serverContext().getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            relay.setEnabledProtocols(new String[] {"TLSv1.2"});
            relay.setNeedClientAuth(true);
            daemon("tls12-relay", () -> {
                while (!relay.isClosed()) {
                    try {
                        SSLSocket s = (SSLSocket) relay.accept();
                        daemon("tls12-connection", () -> {
                            try (s) {
                                s.startHandshake();
                                Thread.sleep(2000);
                            } catch (Exception refusedOrEnded) {
                                // a refused client, or the test's end
                            }
                        });
                    } catch (Exception ended) {
                        // the test's end
                    }
                }
            });
            long ms = msFromHandshakeToVerdict(pki, relay.getLocalPort());
            assertTrue(ms < RelayProbe.TICKET_GRACE_MS - 50, "the verdict right at the handshake's end: " + ms + " ms");
            Path[] foreign = pki.foreignClient();
            DevoTlsMaterial stranger = DevoTlsMaterial.load(foreign[0], foreign[1], Optional.empty(), pki.ca(), Instant.now());
            assertThrows(TlsSetupException.class, () -> RelayProbe.run(stranger.sslContext(), "127.0.0.1", relay.getLocalPort(), false),
                    "a TLS 1.2 refusal is still a refusal");
        }
    }

    /**
     * A relay that takes the certificate in TLS, sends its ticket, then refuses the client on a check
     * of its own a moment later (a permitted-peer name) and resets the connection: still a refusal.
     */
    @Test
    void aRelayRefusingJustAfterItsTicketIsStillARefusal() throws Exception {
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            daemon("refusing-after-ticket", () -> {
                try (Socket tcp = relay.accept()) {
                    SSLSocket s = (SSLSocket) pki.serverContext().getSocketFactory().createSocket(tcp, null, tcp.getPort(), false);
                    s.setUseClientMode(false);
                    s.setNeedClientAuth(true);
                    s.startHandshake(); // sends the tickets
                    Thread.sleep(100);
                    tcp.setSoLinger(true, 0); // a reset with no TLS close before it, as a refusing relay's close looks
                } catch (Exception ended) {
                    // the probe's end
                }
            });
            DevoTlsMaterial tls = DevoTlsMaterial.load(pki.clientCert(), pki.clientKey(), Optional.empty(), pki.ca(), Instant.now());
            TlsSetupException refused = assertThrows(TlsSetupException.class,
                    () -> RelayProbe.run(tls.sslContext(), "127.0.0.1", relay.getLocalPort(), false));
            assertTrue(refused.getMessage().contains("broke the TLS connection after the handshake"), refused.getMessage());
        }
    }

    /** The time from the probe's handshake to its verdict that the relay took the certificate. */
    private static long msFromHandshakeToVerdict(TestPki pki, int port) throws Exception {
        DevoTlsMaterial tls = DevoTlsMaterial.load(pki.clientCert(), pki.clientKey(), Optional.empty(), pki.ca(), Instant.now());
        RelayProbe.Probe probe = RelayProbe.start(tls.sslContext(), "127.0.0.1", port, false);
        assertTrue(probe.handshake().get(10, java.util.concurrent.TimeUnit.SECONDS), "the relay took the connection");
        long handshakeDone = System.nanoTime();
        assertTrue(probe.verdict().get(10, java.util.concurrent.TimeUnit.SECONDS), "the relay took the certificate");
        return (System.nanoTime() - handshakeDone) / 1_000_000;
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void assertVerdictSoonAfterTheHandshake(TestPki pki, int port) throws Exception {
        long ms = msFromHandshakeToVerdict(pki, port);
        assertTrue(ms >= RelayProbe.TICKET_GRACE_MS - 50 && ms < RelayProbe.MIN_WAIT_MS - 300,
                "the verdict a grace after the ticket, not after the whole refusal window: " + ms + " ms");
    }

    /**
     * A relay that answers the TLS hello one byte every half second: each read comes within its
     * timeout, so only a deadline on the whole handshake ends the probe, and with it the start's wait.
     */
    @Test
    void aRelayTricklingItsHandshakeIsGivenUpAfterTheDeadlineNotWaitedForForGood() throws Exception {
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            daemon("trickling-relay", () -> {
                try (Socket s = relay.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(new byte[] {0x16, 0x03, 0x03, 0x40, 0x00}); // a handshake record of 16 kB to come
                    out.flush();
                    while (true) {
                        Thread.sleep(500);
                        out.write(0x02);
                        out.flush();
                    }
                } catch (Exception ended) {
                    // the probe gave up
                }
            });
            DevoTlsMaterial tls = DevoTlsMaterial.load(pki.clientCert(), pki.clientKey(), Optional.empty(), pki.ca(), Instant.now());
            long started = System.nanoTime();
            boolean reached = RelayProbe.run(tls.sslContext(), "127.0.0.1", relay.getLocalPort(), false);
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertFalse(reached, "a relay too slow to use now: retried by the routes, not a refused certificate");
            assertTrue(ms >= RelayProbe.HANDSHAKE_DEADLINE_MS - 100 && ms < RelayProbe.HANDSHAKE_DEADLINE_MS + 3000,
                    "given up at the deadline: " + ms + " ms");
        }
    }
}
