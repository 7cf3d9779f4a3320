package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.dedup.SecondIds;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.state.ServiceState;
import io.collector.jumpcloud.state.StateStore;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state files on disk when something is wrong with them: a folder that cannot be written (a
 * read-only volume, a full disk), and files that cannot be trusted (a crash, a hand edit, a newer
 * version). Nothing is sent twice or lost, a bad file stops only its own route, and the log and
 * health say what is wrong and what to do.
 */
class StateFileFaultsTest {
    static final TestPki pki = TestPki.shared();

    @TempDir
    Path dir;

    @Test
    void anUnwritableStateFolderDoublesNothingAndResumesWhenTheDiskComesBack() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        Path state = dir.resolve("state");
        int port = HealthAndMetricsTest.freePort();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso"), from, Duration.ofSeconds(1), 200));
            String[] badId = new String[1];
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, state)
                    .set("jumpcloud.poll-interval", "300").set("jumpcloud.services", "sso")
                    .set("camel.server.port", Integer.toString(port))
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                CollectorRun.await(() -> devo.lineCount() >= 200 && log.contains("[sso] The data is up to date!"), Duration.ofSeconds(20),
                        "the first 200, their state saved");
                // the disk "fills": the state file's temporary copy cannot be written (a folder where the file goes;
                // root, which runs these tests, ignores read-only permissions)
                block(state.resolve("sso.json.tmp"));
                List<String> next = f.series(List.of("sso"), from.plusSeconds(300), Duration.ofSeconds(1), 300);
                String bad = next.get(150); // JumpCloud sends one of them broken: a dead letter for the quarantine
                badId[0] = new com.fasterxml.jackson.databind.ObjectMapper().readTree(bad).get("id").asText();
                sim.rawBytes(badId[0], bad.replace("\"service\":\"", "\"service\":\"\u00ff")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                sim.addEvents(next);
                CollectorRun.await(() -> devo.lineCount() >= 499, Duration.ofSeconds(20), "the page whose save fails is sent");
                CollectorRun.await(() -> log.contains("its state could not be saved"), Duration.ofSeconds(20), "a failed save");
                // its dead letter is written before its checkpoint: a kill now could not lose it
                assertEquals(1, HostileApiTest.quarantine(state.resolve("sso.quarantine.ndjson")).size(),
                        "the broken event is in the quarantine file while the checkpoint cannot be saved");
                Thread.sleep(3000); // several polls while the disk stays full
                String health = HealthAndMetricsTest.get("http://127.0.0.1:" + port + "/observe/health").body();
                assertTrue(health.contains("the state file cannot be written"), health);
                int duringOutage = devo.lineCount();
                assertEquals(499, duringOutage, "the page sent before its save failed is not sent again while the disk is full");
                assertTrue(log.contains("nothing is asked from JumpCloud until it can"), "the route waits for the disk");
                Files.delete(state.resolve("sso.json.tmp/blocked"));
                Files.delete(state.resolve("sso.json.tmp"));
                sim.addEvents(f.series(List.of("sso"), from.plusSeconds(900), Duration.ofSeconds(1), 100));
                CollectorRun.await(() -> devo.lineCount() >= 599, Duration.ofSeconds(20), "the rest once the disk is back");
                Thread.sleep(1000);
                System.out.printf("unwritable state folder: %d events, %d lines during the outage, %d in the end%n",
                        sim.eventCount(), duringOutage, devo.lineCount());
                assertTrue(log.contains("The state file can be written again"));
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events().stream().filter(e -> !e.id().equals(badId[0])).toList(), devo.lines(), "test-collector");
            assertEquals(1, HostileApiTest.quarantine(state.resolve("sso.quarantine.ndjson")).size(),
                    "the page read again once the disk was back set the broken event aside once, not twice");
            try (CollectorRun again = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, state)
                    .set("jumpcloud.poll-interval", "300").set("jumpcloud.services", "sso")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                Thread.sleep(1500);
            }
            assertEquals(599, devo.lineCount(), "the state saved once the disk was back: a restart sends nothing again");
        }
    }

    /**
     * A route that must write its state as it resumes (here jumpcloud.historic-date-utc changed, so it
     * starts again from the new date) on a disk where it cannot: the collector starts anyway, the other
     * route delivers, and the route reads and writes its state again at its next poll once it can.
     */
    @Test
    void aSaveThatFailsAsARouteResumesStopsNeitherTheStartNorTheOtherRoutes() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        Path state = dir.resolve("state");
        Instant before = from.minus(1, ChronoUnit.DAYS);
        for (String service : List.of("sso", "mdm")) {
            saveState(state, service, before, before);
        }
        block(state.resolve("sso.json.tmp"));
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso", "mdm"), from.plusSeconds(5), Duration.ofSeconds(2), 200));
            List<SimEvent> mdm = sim.events().stream().filter(e -> e.service().equals("mdm")).toList();
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, state)
                    .set("jumpcloud.poll-interval", "300").set("jumpcloud.services", "sso,mdm")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                CollectorRun.await(() -> devo.lineCount() >= mdm.size(), Duration.ofSeconds(20), "the mdm events");
                Thread.sleep(1000); // several polls of sso while its state cannot be written
                assertEquals(mdm.size(), devo.lineCount(), "sso sends nothing before its state is written");
                assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN") && l.contains("[sso] Its state cannot be written as it resumes")
                        && l.contains("sso.json") && l.contains("tries again at its next poll")), String.join("\n", log.lines()));
                Files.delete(state.resolve("sso.json.tmp/blocked"));
                Files.delete(state.resolve("sso.json.tmp"));
                CollectorRun.await(() -> devo.lineCount() >= sim.eventCount(), Duration.ofSeconds(20), "sso once its state can be written");
                Thread.sleep(1000);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
        }
    }

    /**
     * Two collectors started with one state folder by mistake (not replicas): each would send every
     * event and overwrite the other's checkpoints. The second is refused, naming the setting and the
     * folder; once the first stops, the folder is free again.
     */
    @Test
    void aSecondCollectorOnTheSameStateFolderIsRefusedUnlessTheyAreReplicas() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        Path state = dir.resolve("state");
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            sim.addEvents(f.series(List.of("sso"), from.plusSeconds(5), Duration.ofSeconds(2), 100));
            java.util.function.Supplier<CollectorRun> collector = () -> new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, state)
                    .set("jumpcloud.poll-interval", "300").set("jumpcloud.services", "sso")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
            try (CollectorRun first = collector.get().start()) {
                CollectorRun.await(() -> devo.lineCount() >= 100, Duration.ofSeconds(20), "the first collector's events");
                try (CollectorRun second = collector.get()) {
                    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, second::start);
                    String why = java.util.stream.Stream.iterate((Throwable) e, t -> t != null, Throwable::getCause)
                            .map(Throwable::getMessage).filter(m -> m != null && m.startsWith("collector.state-dir: another collector"))
                            .findFirst().orElseThrow(() -> new AssertionError("no reason naming the setting", e));
                    assertTrue(why.contains(state.toAbsolutePath().toString()) && why.contains("collector.cluster"), why);
                }
                sim.addEvents(f.series(List.of("sso"), from.plusSeconds(600), Duration.ofSeconds(2), 10));
                CollectorRun.await(() -> devo.lineCount() >= 110, Duration.ofSeconds(20), "the first collector goes on");
            }
            try (CollectorRun again = collector.get().start()) {
                sim.addEvents(f.series(List.of("sso"), from.plusSeconds(900), Duration.ofSeconds(2), 10));
                CollectorRun.await(() -> devo.lineCount() >= 120, Duration.ofSeconds(20), "a collector started after the first stopped");
                Thread.sleep(1000);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
        }
    }

    /**
     * A checkpoint years ahead (a hand-edited state file, or one saved by a machine whose clock was
     * ahead): nothing is read until then. It is said, with the way out, and health names the route;
     * the other route delivers.
     */
    @Test
    void aCheckpointAheadOfJumpCloudsNowIsSaid() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        Path state = dir.resolve("state");
        Instant ahead = Instant.parse("2030-01-01T00:00:00Z");
        saveState(state, "sso", ahead, from);
        EventFactory f = new EventFactory();
        int port = HealthAndMetricsTest.freePort();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso", "mdm"), from.plusSeconds(5), Duration.ofSeconds(2), 100));
            List<SimEvent> mdm = sim.events().stream().filter(e -> e.service().equals("mdm")).toList();
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, state)
                    .set("jumpcloud.poll-interval", "300").set("jumpcloud.services", "sso,mdm")
                    .set("camel.server.port", Integer.toString(port))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                CollectorRun.await(() -> devo.lineCount() >= mdm.size(), Duration.ofSeconds(20), "the mdm events");
                Thread.sleep(1000);
                List<String> said = log.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("[sso] The checkpoint 2030-01-01T00:00:00Z "
                        + "is ahead of JumpCloud's now")).toList();
                assertEquals(1, said.size(), "said once, not at every poll: " + said);
                assertTrue(said.get(0).contains("jumpcloud.historic-date-utc"), said.get(0));
                String health = HealthAndMetricsTest.get("http://127.0.0.1:" + port + "/observe/health").body();
                assertTrue(health.contains("is ahead of JumpCloud's now"), health);
            }
            DevoLinesOnTheWire.assertExactlyOnce(mdm, devo.lines(), "test-collector");
        }
    }

    /** A route's state as an earlier run left it: its checkpoint and historic date, no ids of that second. */
    static void saveState(Path state, String service, Instant checkpoint, Instant historic) {
        new StateStore(state).save(service, new ServiceState(checkpoint, historic), new SecondIds(checkpoint.getEpochSecond()));
    }

    /** A folder where the state file's temporary copy goes (a save may be writing that file just now: wait for it). */
    static void block(Path tmp) throws Exception {
        for (int i = 0; ; i++) {
            try {
                Files.createDirectories(tmp.resolve("blocked"));
                return;
            } catch (java.nio.file.FileSystemException busy) {
                if (i > 100) {
                    throw busy;
                }
                Thread.sleep(10);
            }
        }
    }

    /**
     * Three routes with state files that cannot be trusted (a string timestamp, an unknown version, an
     * empty file a crash left), and a fourth with none: the three stop, each with one line naming its
     * file, what is wrong and the way out; the fourth delivers.
     */
    @Test
    void aStateFileThatCannotBeTrustedStopsOnlyItsOwnRoute() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        Files.writeString(state.resolve("sso.json"), "{\"last_polled_timestamp\":\"1796568634.5\",\"historic_date_utc\":"
                + from.getEpochSecond() + ",\"ids_with_same_timestamp\":[],\"@persistence_version\":1}");
        Files.writeString(state.resolve("directory.json"), "{\"last_polled_timestamp\":1796568634.5,\"historic_date_utc\":"
                + from.getEpochSecond() + ",\"same_second_ids\":{},\"@persistence_version\":7}");
        Files.writeString(state.resolve("radius.json"), "");
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso", "directory", "radius", "mdm"), from.plusSeconds(5), Duration.ofSeconds(2), 400));
            List<SimEvent> mdm = sim.events().stream().filter(e -> e.service().equals("mdm")).toList();
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, state)
                    .set("jumpcloud.poll-interval", "300").set("jumpcloud.services", "sso,directory,radius,mdm")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                CollectorRun.await(() -> devo.lineCount() >= mdm.size(), Duration.ofSeconds(20), "the mdm events");
                Thread.sleep(1500);
            }
            DevoLinesOnTheWire.assertExactlyOnce(mdm, devo.lines(), "test-collector");
            List<String> errors = log.lines().stream().filter(l -> l.startsWith("ERROR") && l.contains("cannot be trusted")).toList();
            assertEquals(3, errors.size(), String.join("\n", errors));
            for (String[] c : new String[][] {{"sso.json", "last_polled_timestamp is a string (\"1796568634.5\"), not a number"},
                    {"directory.json", "@persistence_version is 7, which this collector does not know"},
                    {"radius.json", "it is empty (a crash or a full disk can leave it so)"}}) {
                assertTrue(errors.stream().anyMatch(l -> l.contains(state.resolve(c[0]).toAbsolutePath().toString()) && l.contains(c[1])
                        && l.contains("move the file aside") && l.contains("jumpcloud.historic-date-utc")), c[0] + " in " + errors);
            }
            assertTrue(sim.eventRequests().stream().allMatch(r -> r.body().toString().contains("mdm")),
                    "the three routes asked JumpCloud for nothing");
            assertTrue(Files.readString(state.resolve("radius.json")).isEmpty(), "a file that cannot be trusted is left as it is");
        }
    }
}
