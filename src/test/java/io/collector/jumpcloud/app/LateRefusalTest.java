package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.state.StateStore;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import io.collector.jumpcloud.tls.RelayProbe;
import io.collector.jumpcloud.tls.TlsSetupException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up probe's verdict on the client certificate can come after the routes started (a TLS
 * 1.3 relay refuses after the handshake, and the start does not wait the whole refusal window). Until
 * it comes, every Devo connection holds its writes: a refusal then fails them and reaches the
 * collector (which stops), an acceptance lets them go. The verdict is held back by the test so that
 * the routes surely run before it; the relay, the TLS connection and the routes are real.
 */
class LateRefusalTest {
    static final TestPki pki = TestPki.shared();
    static final int EVENTS = 300;

    @TempDir
    Path dir;

    private final Instant from = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    private final CompletableFuture<Boolean> verdict = new CompletableFuture<>();
    private final List<RuntimeException> refusals = new CopyOnWriteArrayList<>();
    private JumpCloudSimulator sim;
    private TlsLineReceiver relay;
    private CamelContext context;

    /** The collector runs, has its first page in hand and a connection open, and waits for the verdict. */
    @BeforeEach
    void startWithTheVerdictHeldBack() throws Exception {
        sim = new JumpCloudSimulator();
        relay = TlsLineReceiver.start(pki, true);
        sim.addEvents(new EventFactory().series(List.of("sso", "directory"), from, Duration.ofMillis(50), EVENTS));
        context = collector();
        CollectorRun.await(() -> sim.eventRequests().size() >= 1, Duration.ofSeconds(10), "the first page is fetched");
        Thread.sleep(1500);
        assertEquals(0, relay.lines().size(), "nothing is written before the verdict");
    }

    @AfterEach
    void stop() throws Exception {
        if (context != null) {
            context.stop();
        }
        relay.close();
        sim.close();
    }

    @Test
    void aRefusalFoundAfterTheStartSendsNothingAndKeepsTheCheckpoint() throws Exception {
        verdict.completeExceptionally(new TlsSetupException(CollectorSettings.CERT_FILE,
                "the Devo relay refused the TLS connection (test): check devo.tls.cert-file"));
        CollectorRun.await(() -> !refusals.isEmpty(), Duration.ofSeconds(5), "the refusal reaches the collector");
        assertTrue(refusals.get(0).getMessage().contains("check devo.tls.cert-file"), refusals.get(0).getMessage());
        Thread.sleep(1000);
        assertEquals(0, relay.lines().size(), "the held writes failed: nothing reached the relay");
        context.stop();
        var state = new StateStore(dir.resolve("state")).load("all");
        assertTrue(state.isEmpty() || !state.get().state().lastPolledTimestamp().isAfter(from),
                "the checkpoint did not move past events that were not sent: " + state);
    }

    @Test
    void anAcceptanceFoundAfterTheStartLetsTheHeldPagesGo() throws Exception {
        verdict.complete(true);
        CollectorRun.await(() -> relay.lines().size() >= EVENTS, Duration.ofSeconds(20), "every event reaches the relay");
        assertEquals(EVENTS, relay.lines().size(), "each event once");
        assertTrue(refusals.isEmpty(), String.valueOf(refusals));
    }

    /** The embedded collector, bound with a relay probe whose handshake is done and whose verdict is the test's. */
    private CamelContext collector() throws Exception {
        CamelContext context = new DefaultCamelContext();
        var pc = context.getPropertiesComponent();
        pc.addInitialProperty("jumpcloud.api-key", JumpCloudSimulator.DEFAULT_API_KEY);
        pc.addInitialProperty("jumpcloud.base-url", sim.baseUrl());
        pc.addInitialProperty("jumpcloud.page-size", "100");
        pc.addInitialProperty("jumpcloud.poll-interval", "200");
        pc.addInitialProperty("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(10)));
        pc.addInitialProperty("collector.state-dir", dir.resolve("state").toString());
        pc.addInitialProperty("devo.host", "localhost");
        pc.addInitialProperty("devo.port", Integer.toString(relay.port()));
        pc.addInitialProperty("devo.tls.cert-file", pki.clientCert().toString());
        pc.addInitialProperty("devo.tls.key-file", pki.clientKey().toString());
        pc.addInitialProperty("devo.tls.ca-file", pki.ca().toString());
        pc.addInitialProperty("devo.hostname", "late-refusal");
        JumpCloudDevoRoutes.useDefaults(context);
        CollectorBeans.Begun real = CollectorBeans.begin(context, Clock.systemUTC());
        assertTrue(real.probe().verdict().join(), "the relay accepts this certificate");
        var held = new RelayProbe.Probe(CompletableFuture.completedFuture(true), verdict);
        CollectorSettings settings = CollectorBeans.bind(context, Clock.systemUTC(), new CollectorBeans.Begun(real.settings(), real.tls(), real.ssl(), held),
                refusals::add);
        JumpCloudDevoRoutes.addRoutes(context, settings);
        context.start();
        return context;
    }
}
