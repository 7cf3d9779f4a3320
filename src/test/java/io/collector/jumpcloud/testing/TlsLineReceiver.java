package io.collector.jumpcloud.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * An in-process Devo relay for unit tests: a TLS server (JDK {@link SSLServerSocket}, TLS 1.2 and 1.3) on
 * 127.0.0.1 that requires a client certificate when asked, accepts any number of sequential or concurrent
 * connections, and keeps every LF-terminated line it receives, decoded as UTF-8, without the LF (a CR stays).
 *
 * <p>Faults to switch on at any time: {@link #closeEachConnectionAfter(int)} (a relay that drops connections),
 * {@link #idleTimeout(Duration)} (Devo's load balancer closes connections idle for about 30 s),
 * {@link #stop()}/{@link #restart()} on the same port (a relay outage), {@link #dropConnections()}.
 *
 * <p>A connection that ends (EOF or reset from the client) in the middle of a line leaves that partial line in
 * {@link #lines()} too, and counts it in {@link #tornLines()}: a client killed mid-write tears a line at a real
 * relay as well. A connection this receiver closes itself (stop, fault) keeps no partial line.
 */
public final class TlsLineReceiver implements AutoCloseable {
    private static final InetAddress LOOPBACK = loopback();
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    private final SSLContext ctx;
    private final boolean needClientAuth;
    private volatile int port;
    private volatile SSLServerSocket server;
    private volatile boolean closed;

    // not a CopyOnWriteArrayList: copying it per line would make a slow relay of this receiver at 100k lines
    private final List<String> lines = new ArrayList<>();
    private final List<String> handshakeErrors = new CopyOnWriteArrayList<>();
    private final List<String> connectionErrors = new CopyOnWriteArrayList<>();
    private final List<String> clientSubjects = new CopyOnWriteArrayList<>();
    private final Set<SSLSocket> open = ConcurrentHashMap.newKeySet();
    private final Set<SSLSocket> closedByUs = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger idleCloses = new AtomicInteger();
    private final AtomicInteger forcedCloses = new AtomicInteger();
    private final AtomicInteger torn = new AtomicInteger();
    private volatile int idleTimeoutMs;
    private volatile int closeAfterLines;

    private TlsLineReceiver(SSLContext ctx, boolean needClientAuth, int port) throws IOException {
        this.ctx = ctx;
        this.needClientAuth = needClientAuth;
        this.port = port;
        bind();
    }

    /** A relay with {@link TestPki#serverContext()} on a free port. */
    public static TlsLineReceiver start(TestPki pki, boolean needClientAuth) throws Exception {
        return new TlsLineReceiver(pki.serverContext(), needClientAuth, 0);
    }

    /** A relay on a given port (0: a free one): a relay restarted after an outage comes back where it was. */
    public static TlsLineReceiver start(TestPki pki, boolean needClientAuth, int port) throws Exception {
        return new TlsLineReceiver(pki.serverContext(), needClientAuth, port);
    }

    /** A relay with any server context (e.g. {@link TestPki#refusingServerContext()}). */
    public static TlsLineReceiver start(SSLContext ctx, boolean needClientAuth) throws IOException {
        return new TlsLineReceiver(ctx, needClientAuth, 0);
    }

    public static TlsLineReceiver start(SSLContext ctx, boolean needClientAuth, int port) throws IOException {
        return new TlsLineReceiver(ctx, needClientAuth, port);
    }

    /** A relay whose client authentication is the context's default ({@link TestPki#serverContext(boolean)}). */
    public static TlsLineReceiver start(SSLContext ctx) throws IOException {
        return new TlsLineReceiver(ctx, ctx.getDefaultSSLParameters().getNeedClientAuth(), 0);
    }

    private synchronized void bind() throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
            try {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(LOOPBACK, port), 200);
            } catch (BindException e) {
                s.close();
                if (port == 0 || System.nanoTime() > end) {
                    throw e;
                }
                sleep(50); // the same port again right after a stop: give the kernel a moment
                continue;
            }
            s.setNeedClientAuth(needClientAuth);
            List<String> supported = Arrays.asList(s.getSupportedProtocols());
            s.setEnabledProtocols(Arrays.stream(PROTOCOLS).filter(supported::contains).toArray(String[]::new));
            port = s.getLocalPort();
            server = s;
            Thread t = new Thread(() -> acceptLoop(s), "tls-receiver-" + port);
            t.setDaemon(true);
            t.start();
            return;
        }
    }

    private void acceptLoop(SSLServerSocket srv) {
        while (!srv.isClosed()) {
            SSLSocket s;
            try {
                s = (SSLSocket) srv.accept();
            } catch (IOException e) {
                if (!srv.isClosed()) {
                    connectionErrors.add("accept: " + e);
                }
                continue;
            }
            connections.incrementAndGet();
            open.add(s);
            if (srv.isClosed()) { // stopped while accepting
                closeQuietly(s);
                continue;
            }
            Thread t = new Thread(() -> serve(s), "tls-receiver-" + port + "-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SSLSocket s) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        boolean ours = false;
        try {
            try {
                s.setSoTimeout(HANDSHAKE_TIMEOUT_MS); // the idle timeout starts once the handshake is done
                s.startHandshake();
            } catch (IOException e) {
                if (!closedByUs.contains(s)) {
                    handshakeErrors.add(e.toString());
                }
                return;
            }
            handshakes.incrementAndGet();
            try {
                clientSubjects.add(s.getSession().getPeerPrincipal().getName());
            } catch (IOException noClientCertificate) {
                clientSubjects.add("");
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1 << 16];
            int count = 0;
            while (true) {
                s.setSoTimeout(idleTimeoutMs);
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    line.write(buf, start, i - start);
                    start = i + 1;
                    add(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                    int limit = closeAfterLines;
                    if (limit > 0 && ++count >= limit) {
                        forcedCloses.incrementAndGet();
                        ours = true; // the rest of what was sent on this connection is lost, as at a real relay
                        return;
                    }
                }
                line.write(buf, start, n - start);
            }
        } catch (SocketTimeoutException idle) {
            idleCloses.incrementAndGet(); // like Devo's load balancer: an idle connection is closed
            ours = true;
        } catch (IOException e) {
            if (!closedByUs.contains(s)) {
                connectionErrors.add(e.toString());
            }
        } finally {
            ours |= closedByUs.remove(s);
            if (!ours && line.size() > 0) {
                torn.incrementAndGet();
                add(line.toString(StandardCharsets.UTF_8));
            }
            open.remove(s);
            closeQuietly(s);
        }
    }

    private void add(String line) {
        synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
        }
    }

    public int port() {
        return port;
    }

    /** A snapshot of the lines received so far, in arrival order (across connections: the order lines completed). */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public int lineCount() {
        synchronized (lines) {
            return lines.size();
        }
    }

    /** Forgets the lines received so far. */
    public void clearLines() {
        synchronized (lines) {
            lines.clear();
        }
    }

    /** Waits until at least {@code n} lines have arrived; false if the timeout came first. */
    public boolean awaitLines(int n, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (lines.size() < n) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                lines.wait(left);
            }
            return true;
        }
    }

    /** TCP connections accepted (whether or not their TLS handshake then succeeded). */
    public int connectionsAccepted() {
        return connections.get();
    }

    /** Connections whose TLS handshake succeeded here. */
    public int handshakesCompleted() {
        return handshakes.get();
    }

    /** Connections open right now. */
    public int openConnections() {
        return open.size();
    }

    /** The failed handshakes, as {@code exception.toString()} (e.g. "...SSLHandshakeException: Empty client certificate chain"). */
    public List<String> handshakeErrors() {
        return List.copyOf(handshakeErrors);
    }

    /** Errors on established connections (e.g. a reset from the client), not counting closes this receiver made. */
    public List<String> connectionErrors() {
        return List.copyOf(connectionErrors);
    }

    /** The client certificate subject of each completed handshake ("" when the client sent none). */
    public List<String> clientSubjects() {
        return List.copyOf(clientSubjects);
    }

    /**
     * Closes connections idle for longer than this, as Devo's relay does after about 30 s. Zero or null: never.
     * Applies to open connections from their next read on.
     */
    public TlsLineReceiver idleTimeout(Duration d) {
        idleTimeoutMs = d == null || d.isZero() || d.isNegative() ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
        return this;
    }

    /** Connections closed for being idle. */
    public int idleCloses() {
        return idleCloses.get();
    }

    /**
     * Closes each connection right after its {@code n}-th line (what was sent after it on that connection is lost),
     * like a relay that drops connections. Zero: never. Counts per connection, from the time a line arrives.
     */
    public TlsLineReceiver closeEachConnectionAfter(int n) {
        closeAfterLines = Math.max(0, n);
        return this;
    }

    /** Connections closed by {@link #closeEachConnectionAfter(int)}. */
    public int forcedCloses() {
        return forcedCloses.get();
    }

    /** Lines that ended with the connection instead of with an LF (they are in {@link #lines()} too). */
    public int tornLines() {
        return torn.get();
    }

    /** Closes all open connections; keeps listening. */
    public void dropConnections() {
        for (SSLSocket s : open) {
            closedByUs.add(s);
            closeQuietly(s);
        }
    }

    /** A relay outage: stops listening and closes all connections. Lines and counters stay. */
    public synchronized void stop() throws IOException {
        SSLServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        dropConnections();
    }

    /** Listens again on the same port after {@link #stop()}. */
    public synchronized void restart() throws IOException {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (server == null) {
            bind();
        }
    }

    public boolean isRunning() {
        return server != null;
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        stop();
    }

    private static void closeQuietly(SSLSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
