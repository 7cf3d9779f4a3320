package io.collector.jumpcloud.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A company's HTTP proxy on loopback: CONNECT tunnels (an https API) and absolute-form requests (a
 * plain http one), Basic credentials asked for with 407 as squid does, and host names of its own
 * (a name only the proxy can resolve shows that the collector really went through it).
 */
public final class TestHttpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String expectedAuth;
    private final Map<String, String> names = new LinkedHashMap<>();
    private final List<String> carried = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-proxy");
        t.setDaemon(true);
        return t;
    });

    private TestHttpProxy(String user, String password) throws IOException {
        this.expectedAuth = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /** A proxy that asks for these credentials (null user: none asked). */
    public static TestHttpProxy start(String user, String password) throws IOException {
        return new TestHttpProxy(user, password);
    }

    /** The proxy resolves {@code name} to {@code address} (the collector's machine cannot). */
    public TestHttpProxy resolve(String name, String address) {
        names.put(name.toLowerCase(Locale.ROOT), address);
        return this;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The first request line of each connection the proxy carried: "CONNECT host:port" or "POST http://…". */
    public List<String> carried() {
        return new ArrayList<>(carried);
    }

    /** Request lines answered 407 (no or wrong credentials). */
    public List<String> refused() {
        return new ArrayList<>(refused);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String requestLine = lines[0];
                Map<String, String> headers = new LinkedHashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int c = lines[i].indexOf(':');
                    if (c > 0) {
                        headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
                    }
                }
                long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
                if (expectedAuth != null && !expectedAuth.equals(headers.get("proxy-authorization"))) {
                    in.skipNBytes(length);
                    refused.add(requestLine);
                    out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test-proxy\"\r\n"
                            + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    continue;
                }
                String[] parts = requestLine.split(" ");
                carried.add(requestLine);
                if (parts[0].equals("CONNECT")) {
                    String[] hostPort = parts[1].split(":");
                    try (Socket target = new Socket(address(hostPort[0]), Integer.parseInt(hostPort[1]))) {
                        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        pipe(client, target, in, out);
                    }
                    return;
                }
                URI uri = URI.create(parts[1]);
                try (Socket target = new Socket(address(uri.getHost()), uri.getPort() > 0 ? uri.getPort() : 80)) {
                    // this first request in origin form; later ones on the connection go on as they come
                    StringBuilder b = new StringBuilder(parts[0]).append(' ').append(uri.getRawPath())
                            .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(' ').append(parts[2]).append("\r\n");
                    for (int i = 1; i < lines.length; i++) {
                        if (!lines[i].toLowerCase(Locale.ROOT).startsWith("proxy-")) {
                            b.append(lines[i]).append("\r\n");
                        }
                    }
                    OutputStream up = target.getOutputStream();
                    up.write(b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                    up.write(in.readNBytes((int) length));
                    up.flush();
                    pipe(client, target, in, out);
                }
                return;
            }
        } catch (IOException | RuntimeException e) {
            // the collector or the target closed the connection
        }
    }

    private String address(String host) {
        return names.getOrDefault(host.toLowerCase(Locale.ROOT), host);
    }

    private void pipe(Socket client, Socket target, InputStream clientIn, OutputStream clientOut) throws IOException {
        InputStream targetIn = target.getInputStream();
        OutputStream targetOut = target.getOutputStream();
        threads.execute(() -> {
            try {
                clientIn.transferTo(targetOut);
            } catch (IOException ignored) {
                // closed
            } finally {
                try {
                    target.shutdownOutput();
                } catch (IOException ignored) {
                    // closed
                }
            }
        });
        try {
            targetIn.transferTo(clientOut);
        } catch (IOException ignored) {
            // closed
        }
    }

    /** The request head up to its blank line, or null when the connection ended first. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            if (matched == 4) {
                String s = head.toString(StandardCharsets.ISO_8859_1);
                return s.substring(0, s.length() - 4);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
