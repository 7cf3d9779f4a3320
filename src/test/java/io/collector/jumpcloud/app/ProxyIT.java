package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestHttpProxy;
import io.collector.jumpcloud.testing.TestPki;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JumpCloud through a company's proxy, as the packaged collector runs: the API over TLS at a name
 * only the proxy resolves (so nothing reaches it but through the proxy), the proxy asking for Basic
 * credentials, the proxy from curl's HTTPS_PROXY or from jumpcloud.proxy-url. The proxy's password
 * appears in no log line.
 */
class ProxyIT {
    private static final String PASSWORD = "pr0xy-s3cret";

    @TempDir
    Path dir;
    private TestPki pki;
    private Path trustStore;

    @BeforeEach
    void pki() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        // JumpCloud's certificate is trusted by the JVM's own trust store; the simulator's CA the same way
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (var in = Files.newInputStream(pki.ca())) {
            ks.setCertificateEntry("test-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        trustStore = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            ks.store(out, "changeit".toCharArray());
        }
    }

    private CollectorProcess collector(Path work, JumpCloudSimulator sim, Instant from) throws Exception {
        return new CollectorProcess(work).jvm("-Xmx256m", "-Djavax.net.ssl.trustStore=" + trustStore,
                        "-Djavax.net.ssl.trustStorePassword=changeit")
                .env("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY)
                .env("JUMPCLOUD_BASE_URL", sim.baseUrl(TestPki.API_HOST))
                .env("JUMPCLOUD_SERVICES", "directory")
                .env("JUMPCLOUD_HISTORIC_DATE_UTC", CollectorRun.historic(from.minusSeconds(1)))
                .env("JUMPCLOUD_POLL_INTERVAL", "1000")
                .env("JUMPCLOUD_MAX_RETRIES", "1")
                .env("COLLECTOR_STATE_DIR", work.resolve("state").toString());
    }

    @Test
    void eventsComeThroughTheProxyOfHttpsProxyWithItsCredentials() throws Exception {
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        try (JumpCloudSimulator sim = new JumpCloudSimulator(pki.serverContext());
             TestHttpProxy proxy = TestHttpProxy.start("alice", PASSWORD).resolve(TestPki.API_HOST, "127.0.0.1");
             CollectorProcess c = collector(dir.resolve("env"), sim, from)
                     .env("HTTPS_PROXY", "http://alice:" + PASSWORD + "@127.0.0.1:" + proxy.port())) {
            sim.addEvents(new EventFactory().series(List.of("directory"), from, Duration.ofSeconds(1), 25));
            c.start();
            CollectorRun.await(() -> c.stderr().contains("The data is up to date!"), Duration.ofSeconds(60), "the first pull\n" + c.stderr());
            long lines = c.stdout().lines().filter(l -> l.contains("jumpcloud")).count();
            assertEquals(25, lines, c.stdout());
            assertTrue(proxy.carried().contains("CONNECT " + TestPki.API_HOST + ":" + sim.port() + " HTTP/1.1"), proxy.carried().toString());
            String err = c.stderr();
            assertTrue(err.contains("proxy=http://127.0.0.1:" + proxy.port() + " as 'alice' (HTTPS_PROXY)"), err);
            assertFalse(err.contains(PASSWORD), "the proxy's password is never logged");
            assertEquals(0, c.terminate(15), err);
        }
    }

    @Test
    void aWrongProxyPasswordSaysSoAndNeverShowsIt() throws Exception {
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        try (JumpCloudSimulator sim = new JumpCloudSimulator(pki.serverContext());
             TestHttpProxy proxy = TestHttpProxy.start("alice", "the-right-one").resolve(TestPki.API_HOST, "127.0.0.1");
             CollectorProcess c = collector(dir.resolve("wrong"), sim, from)
                     .env("JUMPCLOUD_PROXY_URL", "http://alice:" + PASSWORD + "@127.0.0.1:" + proxy.port())) {
            sim.addEvents(new EventFactory().series(List.of("directory"), from, Duration.ofSeconds(1), 5));
            c.start();
            CollectorRun.await(() -> c.stderr().contains("HTTP 407"), Duration.ofSeconds(60), "the proxy's refusal\n" + c.stderr());
            String err = c.stderr();
            assertTrue(err.contains("check the user and password in jumpcloud.proxy-url"), err);
            assertFalse(err.contains(PASSWORD), "the proxy's password is never logged");
            assertTrue(proxy.carried().isEmpty(), proxy.carried().toString());
            assertEquals(0, sim.requests().size(), "nothing reached JumpCloud");
            assertEquals("", c.stdout().strip());
        }
    }

    @Test
    void aProxyThatIsNotThereIsNamedWithWhatToCheck() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        try (JumpCloudSimulator sim = new JumpCloudSimulator(pki.serverContext());
             CollectorProcess c = collector(dir.resolve("gone"), sim, from)
                     .env("HTTPS_PROXY", "127.0.0.1:" + closed)) {
            c.start();
            String expected = "the connection to the proxy 127.0.0.1:" + closed + " was refused";
            CollectorRun.await(() -> c.stderr().contains(expected), Duration.ofSeconds(60), expected + "\n" + c.stderr());
            assertTrue(c.stderr().contains("check the network and the proxy http://127.0.0.1:" + closed + " (HTTPS_PROXY)"), c.stderr());
        }
    }
}
