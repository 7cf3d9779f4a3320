package io.collector.jumpcloud.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.testing.TestPki;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RelayProbeTest {
    static final TestPki pki = TestPki.shared();

    /**
     * A relay that answers the TLS hello one byte every half second: each read comes within its
     * timeout, so only a deadline on the whole handshake ends the probe, and with it the start's wait.
     */
    @Test
    void aRelayTricklingItsHandshakeIsGivenUpAfterTheDeadlineNotWaitedForForGood() throws Exception {
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread trickle = new Thread(() -> {
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
            }, "trickling-relay");
            trickle.setDaemon(true);
            trickle.start();
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
