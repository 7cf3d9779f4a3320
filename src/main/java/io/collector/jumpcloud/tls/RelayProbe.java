package io.collector.jumpcloud.tls;

import io.collector.jumpcloud.config.CollectorSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
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
    /** The whole handshake, as netty's own connections allow it: a relay trickling its answer byte by byte ends there. */
    static final long HANDSHAKE_DEADLINE_MS = 10_000;

    private RelayProbe() {
    }

    /**
     * After a relay's session ticket: time for a check it makes once its TLS library took the
     * certificate (its close comes right behind the ticket, so no round trip is added).
     */
    static final long TICKET_GRACE_MS = 200;

    static long refusalWaitMs(long roundTripMs, long handshakeMs) {
        return Math.max(MIN_WAIT_MS, Math.min(MAX_WAIT_MS, 4 * roundTripMs + 2 * handshakeMs + 100));
    }

    /**
     * A probe running in the background: {@link #handshake} completes once the TLS handshake is done
     * (true) or the relay could not be reached (false), or fails for a refused name or certificate seen
     * in the handshake; {@link #verdict} completes after the wait for a TLS 1.3 refusal (true, false
     * for unreachable) or fails with the refusal.
     */
    public record Probe(CompletableFuture<Boolean> handshake, CompletableFuture<Boolean> verdict) {
        /** No probe (a relay known to take the certificate): nothing to wait for. */
        public static Probe none() {
            return new Probe(CompletableFuture.completedFuture(false), CompletableFuture.completedFuture(true));
        }

        /** True once the probe's handshake with the relay is done (its verdict may still be to come). */
        boolean reached() {
            return handshake.isDone() && !handshake.isCompletedExceptionally() && handshake.join();
        }
    }

    /** Starts the probe on a thread of its own. */
    public static Probe start(SSLContext ctx, String host, int port, boolean verifyHostname) {
        Probe p = new Probe(new CompletableFuture<>(), new CompletableFuture<>());
        Thread t = new Thread(() -> {
            try {
                boolean reached = probe(ctx, host, port, verifyHostname, p.handshake());
                p.handshake().complete(reached);
                p.verdict().complete(reached);
            } catch (Throwable e) {
                // whatever ends the probe completes both: the start and the held writes never wait forever
                p.handshake().completeExceptionally(e); // no effect once the handshake was done
                p.verdict().completeExceptionally(e);
                if (e instanceof Error error) {
                    throw error;
                }
            }
        }, "devo-relay-probe");
        t.setDaemon(true);
        t.start();
        return p;
    }

    /** @return true when the relay took the connection, false when it could not be reached (logged) */
    public static boolean run(SSLContext ctx, String host, int port, boolean verifyHostname) {
        return probe(ctx, host, port, verifyHostname, new CompletableFuture<>());
    }

    private static boolean probe(SSLContext ctx, String host, int port, boolean verifyHostname, CompletableFuture<Boolean> handshakeDone) {
        AnsweredSocket tcp = new AnsweredSocket();
        // each read has its timeout; the handshake as a whole has this deadline, so the start never waits for good
        java.util.concurrent.atomic.AtomicBoolean overdue = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture.runAsync(() -> {
            if (!handshakeDone.isDone() && overdue.compareAndSet(false, true)) {
                try {
                    tcp.close(); // ends the read the handshake is blocked in
                } catch (IOException ignored) {
                    // closed anyway
                }
            }
        }, CompletableFuture.delayedExecutor(HANDSHAKE_DEADLINE_MS, java.util.concurrent.TimeUnit.MILLISECONDS));
        try (tcp; SSLSocket s = connect(ctx, tcp, host, port)) {
            long connectMs = tcp.connectMs; // about one round trip
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
            handshakeDone.complete(true);
            String protocol = s.getSession().getProtocol();
            // before TLS 1.3 the relay's refusal of the certificate ends the handshake itself
            String how = "TLSv1.3".equals(protocol) ? awaitRefusal(s, tcp, refusalWaitMs(connectMs, handshakeMs)) : protocol;
            if (how == null) {
                LOG.warn("The Devo relay {}:{} closed the probe connection right after the TLS handshake ({}); "
                        + "if no event arrives, check the client certificate", host, port, protocol);
            } else {
                LOG.info("The Devo relay {}:{} accepted the client certificate ({})", host, port, how);
            }
            return true;
        } catch (IOException e) {
            if (overdue.get()) {
                return overdue(host, port);
            }
            return refusedOrUnreachable(e, tcp.answered, handshakeDone.isDone(), host, port);
        }
    }

    /**
     * The wait for a TLS 1.3 relay's refusal, which comes one round trip after the handshake plus the
     * relay's check of the certificate: {@code waitMs} (four round trips, twice the handshake's time and
     * 100 ms, at least 1 s and at most 1.5 s; with 300 ms, a relay in a busy JVM was seen refusing after
     * the probe had ended). At start it runs while the routes start (CollectorBeans): every new
     * connection holds its writes until the relay could have refused, and a refusal found here stops
     * the collector. A relay whose TLS library sends session tickets (OpenSSL's, as rsyslog's ossl
     * driver, and the JDK's) sends them only once it took the certificate: a whole record read without
     * an alert ends the wait {@link #TICKET_GRACE_MS} later, the grace for a relay that checks names or
     * the chain itself right after (GnuTLS's rsyslog driver does).
     *
     * @return how the certificate was found taken, or null when the relay closed the connection
     * @throws IOException the refusal (an alert, a reset)
     */
    private static String awaitRefusal(SSLSocket s, AnsweredSocket tcp, long waitMs) throws IOException {
        s.setSoTimeout((int) waitMs);
        tcp.afterHandshake(() -> CompletableFuture.runAsync(() -> {
            if (tcp.acceptedEarly.compareAndSet(false, true)) {
                try {
                    tcp.close(); // ends the read below: nothing came after the ticket in the grace
                } catch (IOException ignored) {
                    // closed anyway
                }
            }
        }, CompletableFuture.delayedExecutor(TICKET_GRACE_MS, java.util.concurrent.TimeUnit.MILLISECONDS)));
        try {
            // a relay never writes to us: a read ends in the timeout, or shows the refusal
            return s.getInputStream().read() < 0 ? null : "TLSv1.3";
        } catch (SocketTimeoutException fine) {
            return "TLSv1.3";
        } catch (IOException e) {
            if (!tcp.acceptedEarly.get()) {
                throw e;
            }
            return "TLSv1.3, its session ticket came";
        }
    }

    /** Why a probe's connection failed: a refusal stops the start, a relay not reached is retried by the routes. */
    private static boolean refusedOrUnreachable(IOException e, boolean answered, boolean afterHandshake, String host, int port) {
        if (e instanceof SSLException) {
            if (e.getMessage() != null && e.getMessage().contains("alternative")) {
                throw new TlsSetupException(CollectorSettings.DEVO_HOST, "the certificate of the relay at " + host + ":" + port
                        + " is not for that name (" + e.getMessage() + "): use the relay's name as devo.host, or set "
                        + "devo.tls.hostname-verification=false for a private relay");
            }
            throw new TlsSetupException(CollectorSettings.CERT_FILE, "the Devo relay " + host + ":" + port
                    + " refused the TLS connection (" + e.getMessage() + "): check devo.tls.cert-file, devo.tls.key-file "
                    + "and devo.tls.ca-file, and that devo.host is the relay's name");
        }
        if (answered && !(e instanceof SocketTimeoutException)) {
            // the relay answered our TLS hello, then broke the connection (a broken pipe when it
            // closed on reading our certificate, before our last handshake message was out, or a
            // reset): that is how its refusal of the certificate looks. A reset before any answer,
            // or a silence, is an unreachable relay, retried.
            throw new TlsSetupException(CollectorSettings.CERT_FILE, "the Devo relay " + host + ":" + port
                    + " broke the TLS connection " + (afterHandshake ? "after" : "in") + " the handshake (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "): it refused the connection; check devo.tls.cert-file, devo.tls.key-file and devo.tls.ca-file, "
                    + "and that devo.host is the relay's name");
        }
        LOG.warn("Cannot reach the Devo relay {}:{} now ({}: {}); the routes keep the events and retry at each pull",
                host, port, e.getClass().getSimpleName(), e.getMessage());
        return false;
    }

    /** A handshake past its deadline: a relay too slow to use now, not a refusal; the routes retry. */
    private static boolean overdue(String host, int port) {
        LOG.warn("The Devo relay {}:{} did not complete the TLS handshake within {} s; the routes keep the events and retry at each pull",
                host, port, HANDSHAKE_DEADLINE_MS / 1000);
        return false;
    }

    private static SSLSocket connect(SSLContext ctx, AnsweredSocket tcp, String host, int port) throws IOException {
        long connectStarted = System.nanoTime();
        tcp.connect(new InetSocketAddress(host, port), 10_000);
        tcp.connectMs = (System.nanoTime() - connectStarted) / 1_000_000;
        return (SSLSocket) ctx.getSocketFactory().createSocket(tcp, host, port, true);
    }

    /**
     * The TCP connection under the probe's TLS: it notes whether the relay ever sent a byte, and counts
     * the TLS records that come whole after the handshake (a TLS 1.3 relay's session tickets).
     */
    private static final class AnsweredSocket extends java.net.Socket {
        volatile boolean answered;
        long connectMs;
        final java.util.concurrent.atomic.AtomicBoolean acceptedEarly = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile Runnable onRecordAfterHandshake;
        private final TlsRecordEnds records = new TlsRecordEnds();
        private java.io.InputStream in;

        void afterHandshake(Runnable onRecord) {
            onRecordAfterHandshake = onRecord;
        }

        private void seen(byte[] buf, int off, int n) {
            answered |= n > 0;
            for (int i = off; i < off + n && onRecordAfterHandshake != null; i++) {
                if (records.next(buf[i])) {
                    Runnable onRecord = onRecordAfterHandshake;
                    onRecordAfterHandshake = null; // the first whole record starts the grace
                    onRecord.run();
                }
            }
        }

        @Override
        public synchronized java.io.InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new java.io.FilterInputStream(super.getInputStream()) {
                    @Override
                    public int read() throws IOException {
                        int b = super.read();
                        if (b >= 0) {
                            seen(new byte[] {(byte) b}, 0, 1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int n = super.read(buf, off, len);
                        seen(buf, off, Math.max(n, 0));
                        return n;
                    }
                };
            }
            return in;
        }
    }
}
