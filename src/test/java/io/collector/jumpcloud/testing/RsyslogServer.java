package io.collector.jumpcloud.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslogd (Debian's rsyslog + rsyslog-openssl) as the Devo relay: TLS with the client
 * certificate required and checked against the CA ({@code x509/certvalid}), on loopback, unprivileged,
 * in the foreground, writing each received message's raw text to a file.
 */
public final class RsyslogServer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/rsyslogd");

    private final Path dir;
    private final Path out;
    private final int port;
    private Process process;

    private RsyslogServer(Path dir, int port) {
        this.dir = dir;
        this.out = dir.resolve("out/raw.log");
        this.port = port;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public static RsyslogServer start(Path dir, TestPki pki) throws Exception {
        RsyslogServer s = new RsyslogServer(dir, freePort());
        s.launch(pki);
        return s;
    }

    private void launch(TestPki pki) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.createDirectories(out.getParent());
        Path conf = dir.resolve("rsyslog.conf");
        Files.writeString(conf, String.join("\n",
                "global(workDirectory=\"" + work + "\" maxMessageSize=\"256k\"",
                "       defaultNetstreamDriver=\"ossl\"",
                "       defaultNetstreamDriverCAFile=\"" + pki.ca() + "\"",
                "       defaultNetstreamDriverCertFile=\"" + pki.serverCert() + "\"",
                "       defaultNetstreamDriverKeyFile=\"" + pki.serverKey() + "\")",
                "module(load=\"imtcp\" streamDriver.name=\"ossl\" streamDriver.mode=\"1\" streamDriver.authMode=\"x509/certvalid\")",
                "input(type=\"imtcp\" port=\"" + port + "\" address=\"127.0.0.1\" ruleset=\"devo\")",
                "template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")",
                "ruleset(name=\"devo\") {",
                "  action(type=\"omfile\" file=\"" + out + "\" template=\"raw\")",
                "}", ""));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            // rsyslog runs as nobody: it needs the folders, and reads the PEM files (0644)
            for (Path p : List.of(dir, work, out.getParent())) {
                new ProcessBuilder("chown", "nobody:nogroup", p.toString()).inheritIO().start().waitFor();
            }
            TestPki.traversable(dir);
        }
        List<String> cmd = new ArrayList<>();
        if (root) {
            cmd.addAll(List.of("runuser", "-u", "nobody", "--"));
        }
        cmd.addAll(List.of(BINARY.toString(), "-n", "-f", conf.toString(), "-i", work.resolve("rsyslogd.pid").toString()));
        Path log = dir.resolve("rsyslogd.stderr");
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() > end) {
                close();
                throw new IllegalStateException("rsyslogd did not start: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** Every message rsyslog wrote, its raw text as received (without the LF framing). */
    public List<String> rawLines() throws IOException {
        return Files.exists(out) ? Files.readAllLines(out, StandardCharsets.UTF_8) : List.of();
    }

    public boolean awaitLines(int n, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (rawLines().size() < n) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
