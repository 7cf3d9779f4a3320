package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing from the data runs as configuration: every string field the collector reads (service, id,
 * timestamp) carrying the placeholder, expression and format forms of Camel, Log4j and Java. The
 * API key (reachable as a setting and as a system property) appears nowhere at the relay, in the logs
 * or in the quarantine file, and the events still arrive; unknown services cannot grow the metrics.
 */
class DataIsNeverCodeTest {
    static final TestPki pki = TestPki.shared();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "SECRETKEY-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
    static final List<String> FORMS = List.of("{{jumpcloud.api-key}}", "{{sys:test.placeholder.secret}}", "{{env:JUMPCLOUD_API_KEY}}",
            "${jumpcloud.api-key}", "${sys:test.placeholder.secret}", "${header.x-api-key}", "${exchangeProperty.pull}",
            "#{jumpcloud.api-key}", "#{systemProperties['test.placeholder.secret']}", "%s%n%x", "${jndi:ldap://127.0.0.1/x}");

    @TempDir
    Path dir;

    @Test
    void placeholdersInEventFieldsAreDataEverywhere() throws Exception {
        System.setProperty("test.placeholder.secret", KEY);
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        int port = HealthAndMetricsTest.freePort();
        try (JumpCloudSimulator sim = new JumpCloudSimulator().validKeys(KEY);
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true); LogCapture log = LogCapture.capture()) {
            List<SimEvent> expected = new ArrayList<>();
            int i = 0;
            for (String form : FORMS) {
                for (String field : List.of("service", "id")) {
                    ObjectNode e = (ObjectNode) JSON.readTree(f.event("sso", from.plusSeconds(10L * i++)));
                    e.put(field, (field.equals("service") ? "x.y" : "id-") + form);
                    SimEvent s = SimEvent.of(e.toString());
                    expected.add(s);
                    sim.addSimEvents(List.of(s));
                }
                ObjectNode bad = (ObjectNode) JSON.readTree(f.event("sso", from.plusSeconds(10L * i++)));
                bad.put("timestamp", bad.get("timestamp").asText() + form); // unreadable: quarantined, never evaluated
                sim.addSimEvents(List.of(new SimEvent(bad.toString(), bad.get("id").asText(), from.plusSeconds(10L * i),
                        "sso", null, SimEvent.newTieBreaker(), null)));
            }
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "300").set("camel.server.port", Integer.toString(port))
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                CollectorRun.await(() -> devo.lineCount() >= expected.size(), Duration.ofSeconds(20), expected.size() + " events");
                Thread.sleep(1000);
                String metrics = HealthAndMetricsTest.get("http://127.0.0.1:" + port + "/observe/metrics").body();
                assertTrue(!metrics.contains(KEY), "the key in the metrics");
                assertTrue(metrics.contains("event_service=\"other\""), "services that are not plain names are 'other'");
            } finally {
                System.clearProperty("test.placeholder.secret");
            }
            DevoLinesOnTheWire.assertExactlyOnce(expected, devo.lines(), "test-collector");
            String wire = String.join("\n", devo.lines());
            assertTrue(!wire.contains(KEY), "the key at the relay");
            for (String l : devo.lines()) {
                assertTrue(DevoLinesOnTheWire.parse(l).table().equals(DevoLinesOnTheWire.TABLES.get("sso"))
                        || DevoLinesOnTheWire.parse(l).table().equals(DevoLinesOnTheWire.FALLBACK), "a table from the settings: " + l);
            }
            log.assertNoSecrets(KEY, pki.clientKey());
            String quarantine = Files.readString(dir.resolve("state/all.quarantine.ndjson"));
            assertEquals(FORMS.size(), quarantine.lines().count(), "each unreadable timestamp set aside");
            for (String line : quarantine.lines().toList()) {
                String raw = new String(java.util.Base64.getDecoder().decode(JSON.readTree(line).get("raw_base64").asText()),
                        java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(!raw.contains(KEY) && !line.contains(KEY), "the key in the quarantine file");
            }
            System.out.printf("placeholders in data: %d events with %d forms in service and id delivered, %d unreadable timestamps "
                    + "quarantined, the key nowhere%n", expected.size(), FORMS.size(), FORMS.size());
        }
    }

    @Test
    void thousandsOfUnknownServicesCannotGrowMetricsOrLogs() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        int port = HealthAndMetricsTest.freePort();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                ObjectNode e = (ObjectNode) JSON.readTree(f.event("sso", from.plusMillis(500L * i)));
                e.put("service", "svc_" + i);
                events.add(e.toString());
            }
            sim.addEvents(events);
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "300").set("camel.server.port", Integer.toString(port))
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                CollectorRun.await(() -> devo.lineCount() >= 5000, Duration.ofSeconds(30), "5,000 events");
                Thread.sleep(700);
                String metrics = HealthAndMetricsTest.get("http://127.0.0.1:" + port + "/observe/metrics").body();
                long series = metrics.lines().filter(l -> l.startsWith("jumpcloud_events_fallback_total{")).count();
                System.out.printf("5,000 unknown services: %d fallback series, %d WARN lines about them%n", series,
                        log.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("have no Devo table")).count());
                assertTrue(series <= 51, "50 services by name and 'other': " + series);
                assertTrue(metrics.contains("event_service=\"other\""));
            }
            long warnings = log.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("have no Devo table")).count();
            assertEquals(50, warnings, "one line each for the first 50");
            assertEquals(5000, devo.lineCount(), "every event still in the fallback table");
        }
    }
}
