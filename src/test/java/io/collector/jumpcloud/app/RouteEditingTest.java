package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/editing-routes.md: each worked example, taken from the page itself, is applied to a copy of
 * routes/jumpcloud-to-devo.yaml and run by the real collector between the JumpCloud simulator and a
 * mutual-TLS relay. Standard Camel only (filter, choice with stop, transform, a second to): what
 * reaches the relay is what the example promises, every event once, and the checkpoint moves past
 * the events a step dropped.
 */
class RouteEditingTest {
    static final TestPki pki = TestPki.shared();
    static final List<String> SERVICES = List.of("directory", "systems", "sso", "radius", "ldap", "mdm", "software");

    @TempDir
    Path dir;

    /** The yaml block that follows {@code <!-- routes-example: name -->} in docs/editing-routes.md. */
    static List<String> example(String name) throws Exception {
        List<String> readme = Files.readAllLines(Path.of("docs/editing-routes.md"), StandardCharsets.UTF_8);
        int marker = readme.indexOf("<!-- routes-example: " + name + " -->");
        assertTrue(marker >= 0, "docs/editing-routes.md has the example " + name);
        assertEquals("```yaml", readme.get(marker + 1));
        List<String> block = new ArrayList<>();
        for (int i = marker + 2; !readme.get(i).equals("```"); i++) {
            block.add(readme.get(i));
        }
        return block;
    }

    /**
     * routes/ with the original file, the line containing {@code anchor} (and the {@code before} lines
     * above it) replaced, or preceded, by the example, indented as the replaced step.
     */
    private Path routesWith(List<String> example, String anchor, boolean replace, int before) throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("routes/jumpcloud-to-devo.yaml"), StandardCharsets.UTF_8));
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(anchor)) {
                assertEquals(-1, at, "one line holds " + anchor);
                at = i;
            }
        }
        assertTrue(at >= 0, "the route file has " + anchor);
        at -= before;
        String indent = lines.get(at).substring(0, lines.get(at).indexOf('-'));
        if (replace) {
            for (int i = 0; i <= before; i++) {
                lines.remove(at);
            }
        }
        lines.addAll(at, example.stream().map(l -> l.isEmpty() ? l : indent + l).toList());
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.write(routes.resolve("jumpcloud-to-devo.yaml"), lines, StandardCharsets.UTF_8);
        return routes;
    }

    private List<String> run(Path routes, JumpCloudSimulator sim, TlsLineReceiver devo, LogCapture log, int expectedLines) throws Exception {
        Instant from = sim.events().get(0).timestamp();
        try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                .set("archive.dir", dir.resolve("archive").toString())
                .set("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml")
                .set("jumpcloud.services", "all").set("jumpcloud.page-size", "400")
                .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(60)))
                .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
            run.start();
            CollectorRun.await(() -> devo.lineCount() >= expectedLines, Duration.ofSeconds(60),
                    expectedLines + " lines (have " + devo.lineCount() + ")");
            int done = CollectorEndToEndTest.count(log, "The data is up to date!");
            CollectorRun.await(() -> CollectorEndToEndTest.count(log, "The data is up to date!") > done, Duration.ofSeconds(30),
                    "one more complete pull");
        }
        return devo.lines();
    }

    private static JumpCloudSimulator backlog() {
        Instant from = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        EventFactory f = new EventFactory();
        JumpCloudSimulator sim = new JumpCloudSimulator();
        sim.addEvents(f.series(SERVICES, from, Duration.ofMillis(13), 2800));
        sim.addEvents(f.burst("systems", from.plusSeconds(10), 450)); // the noisy type, across a page boundary
        sim.addEvents(f.burst("sso", from.plusSeconds(20), 450));
        for (int i = 0; i < 30; i++) { // a type whose name merely contains the dropped one: kept
            sim.addEvent(f.event("directory", from.plusSeconds(30 + i))
                    .replaceFirst("\"event_type\":\"[^\"]*\"", "\"event_type\":\"admin_login_attempt\""));
        }
        return sim;
    }

    /** After the run: the checkpoint is past the last event, dropped ones included (nothing is read again). */
    private void assertCheckpointAtTheEnd(JumpCloudSimulator sim) throws Exception {
        Instant last = sim.events().get(sim.eventCount() - 1).timestamp();
        var state = new io.collector.jumpcloud.state.StateStore(dir.resolve("state")).load("all").orElseThrow().state();
        assertEquals(last, state.lastPolledTimestamp(), "the checkpoint moved past every event, dropped ones too");
    }

    @Test
    void aFilterDropsEvents() throws Exception {
        Path routes = routesWith(example("filter"), "ref: devoLine", true, 1);
        try (JumpCloudSimulator sim = backlog();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            List<SimEvent> kept = sim.events().stream().filter(e -> !e.raw().contains("\"event_type\":\"login_attempt\"")).toList();
            assertTrue(kept.size() > 0 && kept.size() < sim.eventCount(), "the backlog has both: " + kept.size());
            assertTrue(kept.stream().anyMatch(e -> e.raw().contains("admin_login_attempt")), "and a type whose name merely contains it");
            List<String> lines = run(routes, sim, devo, log, kept.size());
            DevoLinesOnTheWire.assertExactlyOnce(kept, lines, "test-collector");
            assertCheckpointAtTheEnd(sim);
        }
    }

    @Test
    void aChoiceWhoseBranchEndsEarly() throws Exception {
        Path routes = routesWith(example("choice-stop"), "constant: \"{{devo.table.sso}}\"", true, 0);
        try (JumpCloudSimulator sim = backlog();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            List<SimEvent> kept = sim.events().stream().filter(e -> !"sso".equals(e.service())).toList();
            List<String> lines = run(routes, sim, devo, log, kept.size());
            DevoLinesOnTheWire.assertExactlyOnce(kept, lines, "test-collector");
            assertCheckpointAtTheEnd(sim);
        }
    }

    @Test
    void aTransformChangesWhatIsSent() throws Exception {
        Path routes = routesWith(example("transform"), "constant: \"{{devo.table.sso}}\"", true, 0);
        try (JumpCloudSimulator sim = backlog();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            List<String> lines = run(routes, sim, devo, log, sim.eventCount());
            Map<String, DevoLinesOnTheWire.Line> byId = new HashMap<>();
            for (String l : lines) {
                DevoLinesOnTheWire.Line p = DevoLinesOnTheWire.parse(l);
                assertEquals(null, byId.put(p.id(), p), "event " + p.id() + " sent twice");
            }
            assertEquals(sim.eventCount(), byId.size());
            int sso = 0;
            for (SimEvent e : sim.events()) {
                DevoLinesOnTheWire.Line got = byId.get(e.id());
                if ("sso".equals(e.service())) {
                    sso++;
                    assertEquals("my.app.jumpcloud.sso", got.table());
                    assertEquals("{\"site\":\"eu-1\"," + e.raw().substring(1), got.json());
                } else {
                    assertEquals(DevoLinesOnTheWire.TABLES.getOrDefault(e.service(), DevoLinesOnTheWire.FALLBACK), got.table());
                    assertEquals(e.raw(), got.json(), "other services unchanged");
                }
            }
            assertTrue(sso > 450, "sso events were there: " + sso);
        }
    }

    @Test
    void aSecondDestinationReceivesEveryEvent() throws Exception {
        Path routes = routesWith(example("second-destination"), "- process:", false, 0);
        try (JumpCloudSimulator sim = backlog();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            List<String> lines = run(routes, sim, devo, log, sim.eventCount());
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), lines, "test-collector");
            List<String> archived = Files.readAllLines(dir.resolve("archive/events.ndjson"), StandardCharsets.UTF_8);
            Map<String, String> byId = new HashMap<>();
            for (String a : archived) {
                String id = DevoLinesOnTheWire.JSON.readTree(a).path("id").asText();
                assertEquals(null, byId.put(id, a), "archived twice: " + id);
            }
            for (SimEvent e : sim.events()) {
                assertEquals(e.raw(), byId.get(e.id()), "archived as JumpCloud sent it: " + e.id());
            }
            assertCheckpointAtTheEnd(sim);
        }
    }
}
