package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.config.SettingsSchema;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/embedding.md: an application with its own plain CamelContext (no
 * camel-main) and its own properties file adds {@link JumpCloudDevoRoutes}; every event of the
 * simulator reaches the mutual-TLS relay exactly once, next to the application's own route.
 */
class EmbeddingTest {
    static final TestPki pki = TestPki.shared();

    @TempDir
    Path dir;

    @Test
    void aPlainCamelContextWithPropertiesDeliversEveryEventOnce() throws Exception {
        Instant from = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("directory", "sso", "systems", "radius", "ldap", "mdm", "software"), from, Duration.ofMillis(9), 2100));
            sim.addEvents(f.burst("radius", from.plusSeconds(30), 700)); // one timestamp across pages

            // the application's own settings file, as it would keep them
            Properties p = new Properties();
            p.setProperty("jumpcloud.api-key", JumpCloudSimulator.DEFAULT_API_KEY);
            p.setProperty("jumpcloud.base-url", sim.baseUrl());
            p.setProperty("jumpcloud.services", "all");
            p.setProperty("jumpcloud.page-size", "500");
            p.setProperty("jumpcloud.poll-interval", "500");
            p.setProperty("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(10)));
            p.setProperty("collector.state-dir", dir.resolve("state").toString());
            p.setProperty("devo.host", "localhost");
            p.setProperty("devo.port", Integer.toString(devo.port()));
            p.setProperty("devo.tls.cert-file", pki.clientCert().toString());
            p.setProperty("devo.tls.key-file", pki.clientKey().toString());
            p.setProperty("devo.tls.ca-file", pki.ca().toString());
            p.setProperty("devo.hostname", "embedding-app");
            Path props = dir.resolve("my-app.properties");
            try (Writer w = Files.newBufferedWriter(props, StandardCharsets.UTF_8)) {
                p.store(w, "an application that embeds the collector");
            }

            CamelContext context = new DefaultCamelContext();
            context.getPropertiesComponent().setLocation("file:" + props);
            context.addRoutes(new RouteBuilder() { // the application's own route keeps working beside ours
                @Override
                public void configure() {
                    from("direct:hello").setBody(simple("hello ${body}"));
                }
            });
            JumpCloudDevoRoutes collector = new JumpCloudDevoRoutes();
            context.addRoutes(collector);
            context.start();
            try {
                assertNotNull(context.getRoute(ServiceRoutes.routeId("all")), "the service route is there: " + context.getRoutes());
                CollectorRun.await(() -> devo.lineCount() >= sim.eventCount(), Duration.ofSeconds(60),
                        sim.eventCount() + " lines (have " + devo.lineCount() + ")");
                int done = CollectorEndToEndTest.count(log, "The data is up to date!");
                CollectorRun.await(() -> CollectorEndToEndTest.count(log, "The data is up to date!") > done, Duration.ofSeconds(30),
                        "one more complete pull");
                try (ProducerTemplate t = context.createProducerTemplate()) {
                    assertEquals("hello app", t.requestBody("direct:hello", "app", String.class));
                }
            } finally {
                context.stop();
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "embedding-app");
            assertEquals("all", collector.settings().services().get(0));
            assertTrue(Files.exists(dir.resolve("state/all.json")), "the checkpoint is kept where the application said");
            log.assertNoSecrets(JumpCloudSimulator.DEFAULT_API_KEY, pki.clientKey());
        }
    }

    @Test
    void theJarsOwnDefaultsFillOnlyWhatTheApplicationLeftUnset() throws Exception {
        assertNull(JumpCloudDevoRoutes.class.getClassLoader().getResource("application.properties"),
                "the jar ships no root application.properties: it would take over an embedding camel-main application's");
        CamelContext plain = new DefaultCamelContext();
        JumpCloudDevoRoutes.useDefaults(plain);
        assertEquals(SettingsSchema.defaultValue("devo.endpoint"), plain.getPropertiesComponent().loadProperties().getProperty("devo.endpoint"));
        assertTrue(plain.getPropertiesComponent().loadProperties().getProperty("devo.endpoint").startsWith("netty:tcp://{{devo.host}}"));
        assertTrue(plain.getPropertiesComponent().loadProperties().stringPropertyNames().stream().noneMatch(k -> k.startsWith("camel.")),
                "camel-main's own keys stay out");

        CamelContext own = new DefaultCamelContext();
        own.getPropertiesComponent().addInitialProperty("devo.endpoint", "log:devo");
        JumpCloudDevoRoutes.useDefaults(own);
        assertEquals("log:devo", own.getPropertiesComponent().resolveProperty("devo.endpoint").orElse(null), "the application's value wins");
        assertTrue(JumpCloudDevoRoutes.own(JumpCloudDevoRoutes.ROUTES).toString().endsWith("/routes/jumpcloud-to-devo.yaml"));
    }
}
