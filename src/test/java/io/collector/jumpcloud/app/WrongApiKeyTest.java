package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.JumpCloudSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A wrong or unprivileged key: a coded error with JumpCloud's message, never the key, and no hammering. */
class WrongApiKeyTest {
    @TempDir
    Path dir;

    @Test
    void aWrongKeyStopsTheStartWithSetupError100() throws Exception {
        String key = "WRONG-KEY-" + System.nanoTime();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); LogCapture log = LogCapture.capture()) {
            CollectorRun run = new CollectorRun(sim.baseUrl(), key, dir.resolve("state"));
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, run::start);
            var bad = CollectorApplication.settingsProblem(e);
            assertTrue(bad != null && bad.getMessage().startsWith("jumpcloud.api-key: SetupError 100: JumpCloud refused the API key (HTTP 401"), String.valueOf(bad));
            assertFalse(bad.getMessage().contains(key));
            assertTrue(sim.eventRequests().size() == 1, "one request, the check");
            run.close();
        }
    }

    @Test
    void aKeyRevokedWhileRunningIsPullError301OncePerPollIntervalAndNeverLogged() throws Exception {
        String key = "REVOKED-KEY-" + System.nanoTime();
        try (JumpCloudSimulator sim = new JumpCloudSimulator().validKeys(key); LogCapture log = LogCapture.capture()) {
            CollectorRun run = new CollectorRun(sim.baseUrl(), key, dir.resolve("state")).set("jumpcloud.poll-interval", "1000");
            run.start();
            sim.validKeys("another-key");                        // revoked in the JumpCloud console
            sim.clearRequests();
            Thread.sleep(3100);
            run.close();
            int requests = sim.eventRequests().size();
            assertTrue(requests >= 2 && requests <= 4, "one request per poll interval, got " + requests + " in ~3 s");
            assertTrue(log.contains("PullError 301"), String.join("\n", log.lines()));
            assertFalse(log.lines().stream().anyMatch(l -> l.contains(key)), "the key never appears in the log");
            assertFalse(Files.exists(dir.resolve("state/all.json")) && Files.readString(dir.resolve("state/all.json")).contains("ids_with_same_timestamp\":[\""),
                    "nothing was collected");
        }
    }

    @Test
    void aKeyLosingPermissionIsPullError302WithJumpCloudsMessage() throws Exception {
        String key = "NO-PERMISSION-" + System.nanoTime();
        try (JumpCloudSimulator sim = new JumpCloudSimulator().validKeys(key); LogCapture log = LogCapture.capture()) {
            CollectorRun run = new CollectorRun(sim.baseUrl(), key, dir.resolve("state")).set("jumpcloud.services", "sso");
            run.start();
            sim.forbiddenKey(key);                               // its role changed while running
            CollectorRun.await(() -> log.contains("PullError 302"), Duration.ofSeconds(20), "PullError 302");
            run.close();
            String line = log.lines().stream().filter(l -> l.contains("PullError 302")).findFirst().orElseThrow();
            assertTrue(line.contains("Forbidden"), line);
            assertFalse(line.contains(key));
            assertTrue(sim.eventRequests().stream().allMatch(r -> r.apiKeyPresent()), "the key was sent as x-api-key");
        }
    }

    /**
     * Service names are JumpCloud's to judge (it keeps adding them): its 400 at start is an error
     * naming the setting and the refused service, and the other services are still collected.
     */
    @Test
    void aServiceJumpCloudDoesNotKnowIsNamedAtStartAndTheOthersRun() throws Exception {
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); LogCapture log = LogCapture.capture()) {
            sim.addEvents(new io.collector.jumpcloud.sim.EventFactory().series(java.util.List.of("directory"),
                    java.time.Instant.now().minusSeconds(3600), Duration.ofSeconds(1), 20));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.services", "directory,printers")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(java.time.Instant.now().minusSeconds(7200)))) {
                run.start();
                CollectorRun.await(() -> log.contains("Number of directory events printed (dry run): 20"), Duration.ofSeconds(20),
                        "the known service collected");
            }
            String line = log.lines().stream().filter(l -> l.contains("JumpCloud refused the services")).findFirst().orElseThrow();
            assertTrue(line.contains("jumpcloud.services") && line.contains("invalid service") && line.contains("printers"), line);
        }
    }
}
