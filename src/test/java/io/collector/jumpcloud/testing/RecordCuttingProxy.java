package io.collector.jumpcloud.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a TLS relay that can cut a connection the way a killed sender does: the
 * relay gets the whole TLS records the sender's kernel had taken, then the connection ends (FIN),
 * and the sender's side is closed too. The cut comes at the first record boundary after a given
 * number of bytes from the sender, so it lands in the middle of a page's stream of records.
 */
public final class RecordCuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int upstreamPort;
    private volatile java.util.function.LongSupplier cutAt = () -> -1;
    private volatile int wanted;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicLong cuts = new AtomicLong();
    private volatile boolean closed;

    public RecordCuttingProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::acceptLoop, "record-cutting-proxy");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * Cuts new connections, each at the first TLS record boundary after {@code at} bytes from the
     * sender, until {@code count} were cut (a connection that ends sooner is not counted).
     */
    public void cutConnections(int count, java.util.function.LongSupplier at) {
        wanted = count;
        cutAt = at;
    }

    /** Connections cut so far. */
    public long cuts() {
        return cuts.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket relay = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                open.add(client);
                open.add(relay);
                long at = cuts.get() < wanted ? cutAt.getAsLong() : -1;
                start(() -> pump(client, relay, at));
                start(() -> pump(relay, client, -1));
            } catch (IOException e) {
                // closed, or the relay is down: the sender sees its connection fail
            }
        }
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "record-cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to, long cutAt) {
        byte[] buf = new byte[1 << 16];
        long forwarded = 0;
        int header = 0;       // bytes of the current record's 5-byte header seen
        int length = 0;       // the current record's length, from its header
        int body = 0;         // bytes of its body still to come
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (cutAt < 0) {
                    out.write(buf, 0, n);
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    boolean boundary = header == 0 && body == 0;
                    if (boundary && forwarded + i >= cutAt) {
                        out.write(buf, 0, i);
                        out.flush();
                        cuts.incrementAndGet();
                        // the relay: the records so far, then the end of the stream (not a reset, which could
                        // discard what it has not read yet); it closes when it has read them
                        to.shutdownOutput();
                        from.close(); // the sender: its connection is gone
                        return;
                    }
                    if (body > 0) {
                        int skip = Math.min(body, n - i);
                        body -= skip;
                        i += skip - 1;
                    } else {
                        header++;
                        if (header == 4) {
                            length = (buf[i] & 0xff) << 8;
                        } else if (header == 5) {
                            body = length | (buf[i] & 0xff);
                            header = 0;
                        }
                    }
                }
                out.write(buf, 0, n);
                forwarded += n;
            }
        } catch (IOException e) {
            // either side closed
        } finally {
            try {
                from.close();
                if (!to.isOutputShutdown()) {
                    to.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
