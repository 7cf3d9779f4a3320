package io.collector.jumpcloud.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * An in-process Devo relay for tests: a TLS server on loopback that requires a client certificate
 * (when asked) and keeps every LF-terminated UTF-8 line it receives.
 */
public final class TlsLineReceiver implements AutoCloseable {
    private final SSLServerSocket server;
    // not a CopyOnWriteArrayList: copying it per line made a slow relay of this receiver at 100k lines
    private final List<String> lines = new java.util.ArrayList<>();
    private final List<String> handshakeErrors = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger idleCloses = new AtomicInteger();
    private final List<Long> firstLineDelaysMs = new CopyOnWriteArrayList<>();
    private volatile long helloDelayMs;
    private final AtomicInteger handshakes = new AtomicInteger();
    private volatile boolean closed;
    private volatile int idleTimeoutMs;
    private volatile Mode mode = Mode.NORMAL;
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);

    /** How the relay treats a new connection. */
    public enum Mode {
        /** reads and keeps every line */
        NORMAL,
        /** completes the handshake, then never reads (a relay that hangs): what is written is never counted */
        BLACK_HOLE,
        /** closes the connection right after the handshake, as a relay refusing the client certificate (TLS 1.3) */
        CLOSE_AFTER_HANDSHAKE,
        /** reads and keeps every line, and answers each 1,000th with a few bytes back (no syslog relay does) */
        WRITES_BACK
    }
    // the benchmark's relay: counts LF-ended lines and bytes, keeps nothing (a million Strings would
    // make the relay, not the collector, the thing measured)
    private final boolean countOnly;
    private final java.util.concurrent.atomic.AtomicLong counted = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();

    private TlsLineReceiver(SSLContext ctx, boolean needClientAuth, int port) throws IOException {
        this(ctx, needClientAuth, port, false);
    }

    private TlsLineReceiver(SSLContext ctx, boolean needClientAuth, int port, boolean countOnly) throws IOException {
        this.countOnly = countOnly;
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.setNeedClientAuth(needClientAuth);
        server.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        Thread t = new Thread(this::acceptLoop, "tls-receiver-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** A relay that only counts lines and bytes (benchmarks): {@link #lines()} stays empty. */
    public static TlsLineReceiver startCounting(TestPki pki) throws Exception {
        return new TlsLineReceiver(pki.serverContext(), true, 0, true);
    }

    public static TlsLineReceiver start(TestPki pki, boolean needClientAuth) throws Exception {
        return new TlsLineReceiver(pki.serverContext(), needClientAuth, 0);
    }

    /** A relay on a given port: a restarted relay after an outage comes back where it was. */
    public static TlsLineReceiver start(TestPki pki, boolean needClientAuth, int port) throws Exception {
        return new TlsLineReceiver(pki.serverContext(), needClientAuth, port);
    }

    public static TlsLineReceiver start(SSLContext ctx, boolean needClientAuth) throws Exception {
        return new TlsLineReceiver(ctx, needClientAuth, 0);
    }

    public static TlsLineReceiver start(SSLContext ctx, boolean needClientAuth, int port) throws Exception {
        return new TlsLineReceiver(ctx, needClientAuth, port);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SSLSocket s = (SSLSocket) server.accept();
                connections.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> read(s), "tls-receiver-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    handshakeErrors.add(e.toString());
                }
            }
        }
    }

    private void read(SSLSocket s) {
        try (s; BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
            s.setSoTimeout(idleTimeoutMs);
            if (helloDelayMs > 0) {
                Thread.sleep(helloDelayMs);
            }
            s.startHandshake();
            long handshakeDone = System.nanoTime();
            handshakes.incrementAndGet();
            Mode m = mode;
            if (m == Mode.CLOSE_AFTER_HANDSHAKE) {
                return;
            }
            if (m == Mode.BLACK_HOLE) {
                try {
                    closing.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            if (countOnly) {
                count(s.getInputStream());
                return;
            }
            String line;
            int read = 0;
            while ((line = r.readLine()) != null) {
                if (read == 0) {
                    firstLineDelaysMs.add((System.nanoTime() - handshakeDone) / 1_000_000);
                }
                synchronized (lines) {
                    lines.add(line);
                }
                if (m == Mode.WRITES_BACK && read % 1000 == 0) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\u001b[2J\r\n".getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                }
                read++;
            }
        } catch (java.net.SocketTimeoutException idle) {
            idleCloses.incrementAndGet(); // like Devo's load balancer: an idle connection is closed
        } catch (IOException e) {
            if (!closed) {
                handshakeErrors.add(e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(s);
        }
    }

    private void count(java.io.InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            int lf = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    lf++;
                }
            }
            bytes.addAndGet(n);
            counted.addAndGet(lf);
        }
    }

    /** New connections wait this long before they answer the TLS hello: a relay far away, or busy. */
    public TlsLineReceiver helloDelay(Duration delay) {
        helloDelayMs = delay.toMillis();
        return this;
    }

    /** How new connections are treated from now on (open ones keep theirs). */
    public TlsLineReceiver mode(Mode m) {
        mode = m;
        return this;
    }

    /** Closes every open connection (the next write opens a new one). */
    public void dropConnections() {
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Starts counting again from zero (counting relay only). */
    public void resetCount() {
        counted.set(0);
        bytes.set(0);
    }

    /** Bytes received (counting relay only). */
    public long bytesReceived() {
        return bytes.get();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** A snapshot of the lines received so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public int lineCount() {
        if (countOnly) {
            return (int) counted.get();
        }
        synchronized (lines) {
            return lines.size();
        }
    }

    public List<String> handshakeErrors() {
        return handshakeErrors;
    }

    /** Closes connections idle for longer than this, as Devo's relay does after about 30 s. */
    public TlsLineReceiver idleTimeout(java.time.Duration d) {
        idleTimeoutMs = (int) d.toMillis();
        return this;
    }

    /** TLS handshakes completed so far (the start-up probe's included). */
    public int handshakes() {
        return handshakes.get();
    }

    /** For each connection that brought lines, in order: the time from its handshake to its first line. */
    public List<Long> firstLineDelaysMs() {
        return List.copyOf(firstLineDelaysMs);
    }

    public int idleCloses() {
        return idleCloses.get();
    }

    public int connectionsAccepted() {
        return connections.get();
    }

    public boolean awaitLines(int n, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (lineCount() < n) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * A relay that goes down cleanly (a restart, a load balancer draining): it stops accepting, tells
     * each open connection it closes (TLS close_notify), reads what the sender still had on the way
     * until the sender closes its side or {@code drain} passed, then closes. What a relay that crashes
     * held unread in its socket buffers is lost to any syslog sender: there is no acknowledgement.
     */
    public void closeGracefully(Duration drain) throws IOException, InterruptedException {
        closed = true;
        server.close();
        for (Socket s : open) {
            try {
                s.shutdownOutput();
            } catch (IOException | UnsupportedOperationException e) {
                // already closing
            }
        }
        long end = System.nanoTime() + drain.toNanos();
        while (!open.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        close();
    }

    @Override
    public void close() throws IOException {
        closing.countDown();
        closed = true;
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
