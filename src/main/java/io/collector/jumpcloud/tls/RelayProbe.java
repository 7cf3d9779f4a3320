package io.collector.jumpcloud.tls;

import io.collector.jumpcloud.config.CollectorSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TLS connection to the relay at start, held open for a moment: with TLS 1.3 a relay refuses a
 * client certificate only after the handshake, so the refusal is read here and stops the start with
 * a clear message instead of surfacing later. A relay that cannot be reached does not stop the
 * start (it may come up later; the routes retry); a refused certificate or name does.
 */
public final class RelayProbe {
    private static final Logger LOG = LoggerFactory.getLogger(RelayProbe.class);

    static final long MIN_WAIT_MS = 1000;
    static final long MAX_WAIT_MS = 1500;

    private RelayProbe() {
    }

    static long refusalWaitMs(long roundTripMs, long handshakeMs) {
        return Math.max(MIN_WAIT_MS, Math.min(MAX_WAIT_MS, 4 * roundTripMs + 2 * handshakeMs + 100));
    }

    /** @return true when the relay took the connection, false when it could not be reached (logged) */
    public static boolean run(SSLContext ctx, String host, int port, boolean verifyHostname) {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            long connectStarted = System.nanoTime();
            s.connect(new InetSocketAddress(host, port), 10_000);
            long connectMs = (System.nanoTime() - connectStarted) / 1_000_000; // about one round trip
            SSLParameters p = s.getSSLParameters();
            p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            if (verifyHostname) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!host.matches("[0-9.]+|.*:.*")) {
                p.setServerNames(java.util.List.of(new SNIHostName(host)));
            }
            s.setSSLParameters(p);
            s.setSoTimeout((int) MAX_WAIT_MS);
            long handshakeStarted = System.nanoTime();
            s.startHandshake();
            long handshakeMs = (System.nanoTime() - handshakeStarted) / 1_000_000; // how busy both ends are
            // The refusal of a TLS 1.3 relay comes one round trip after the handshake plus the relay's
            // check of the certificate: wait four round trips, twice the handshake's time and 100 ms,
            // at least 1 s and at most 1.5 s. The wait overlaps the rest of the start (CollectorBeans),
            // so it costs the first event little; with 300 ms a relay in a busy JVM was seen refusing
            // after the probe had ended. Every new connection also holds its writes until the relay
            // could have refused, so a refusal seen late still loses nothing.
            s.setSoTimeout((int) refusalWaitMs(connectMs, handshakeMs));
            try {
                // a relay never writes to us: a read ends in the timeout, or shows the refusal
                if (s.getInputStream().read() < 0) {
                    LOG.warn("The Devo relay {}:{} closed the probe connection right after the TLS handshake ({}); "
                            + "if no event arrives, check the client certificate", host, port, s.getSession().getProtocol());
                    return true;
                }
            } catch (SocketTimeoutException fine) {
                // accepted
            }
            LOG.info("The Devo relay {}:{} accepted the client certificate ({})", host, port, s.getSession().getProtocol());
            return true;
        } catch (SSLException e) {
            if (e.getMessage() != null && e.getMessage().contains("alternative")) {
                throw new TlsSetupException(CollectorSettings.DEVO_HOST, "the certificate of the relay at " + host + ":" + port
                        + " is not for that name (" + e.getMessage() + "): use the relay's name as devo.host, or set "
                        + "devo.tls.hostname-verification=false for a private relay");
            }
            throw new TlsSetupException(CollectorSettings.CERT_FILE, "the Devo relay " + host + ":" + port
                    + " refused the TLS connection (" + e.getMessage() + "): check devo.tls.cert-file, devo.tls.key-file "
                    + "and devo.tls.ca-file, and that devo.host is the relay's name");
        } catch (IOException e) {
            LOG.warn("Cannot reach the Devo relay {}:{} now ({}: {}); the routes keep the events and retry at each pull",
                    host, port, e.getClass().getSimpleName(), e.getMessage());
            return false;
        }
    }
}
