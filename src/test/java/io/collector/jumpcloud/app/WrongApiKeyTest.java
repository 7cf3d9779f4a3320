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
    void wrongKeyIsPullError301OncePerPollIntervalAndNeverLogged() throws Exception {
        String key = "WRONG-KEY-" + System.nanoTime();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); LogCapture log = LogCapture.capture()) {
            CollectorRun run = new CollectorRun(sim.baseUrl(), key, dir.resolve("state")).set("jumpcloud.poll-interval", "1000");
            run.start();
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
    void keyWithoutPermissionIsPullError302WithJumpCloudsMessage() throws Exception {
        String key = "NO-PERMISSION-" + System.nanoTime();
        try (JumpCloudSimulator sim = new JumpCloudSimulator().forbiddenKey(key); LogCapture log = LogCapture.capture()) {
            CollectorRun run = new CollectorRun(sim.baseUrl(), key, dir.resolve("state")).set("jumpcloud.services", "sso");
            run.start();
            CollectorRun.await(() -> log.contains("PullError 302"), Duration.ofSeconds(20), "PullError 302");
            run.close();
            String line = log.lines().stream().filter(l -> l.contains("PullError 302")).findFirst().orElseThrow();
            assertTrue(line.contains("Forbidden"), line);
            assertFalse(line.contains(key));
            assertTrue(sim.eventRequests().stream().allMatch(r -> r.apiKeyPresent()), "the key was sent as x-api-key");
        }
    }
}
