package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user with only an API key runs the jar without a Devo relay: the exact Devo lines appear on
 * standard output, the logs on standard error, and SIGTERM stops it cleanly with its state saved.
 */
class DryRunIT {
    @TempDir
    Path dir;


    @Test
    void printsTheExactLinesThatWouldGoToDevo() throws Exception {
        Instant from = Instant.now().minus(30, ChronoUnit.MINUTES);
        try (JumpCloudSimulator sim = new JumpCloudSimulator()) {
            EventFactory f = new EventFactory();
            sim.addEvents(f.series(List.of("directory", "sso", "radius", "mdm", "systems", "ldap", "alerts"), from, Duration.ofMillis(50), 1400));
            String key = "dry-run-key-" + System.nanoTime();
            sim.validKeys(key);
            try (CollectorProcess c = new CollectorProcess(dir)
                    .env("JUMPCLOUD_API_KEY", key)
                    .env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                    .env("JUMPCLOUD_PAGE_SIZE", "500")
                    .env("JUMPCLOUD_HISTORIC_DATE_UTC", CollectorRun.historic(from.minusSeconds(1)))
                    .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())
                    .start()) {
                CollectorRun.await(() -> c.stderr().contains("The data is up to date!"), Duration.ofSeconds(60), "the first pull");
                long t0 = System.nanoTime();
                int rc = c.terminate(15);
                double stopSeconds = (System.nanoTime() - t0) / 1e9;
                assertEquals(0, rc, "SIGTERM is a clean stop:\n" + c.stderr());
                assertTrue(stopSeconds < 10, "stopped within Docker's 10 s grace: " + stopSeconds);
                System.out.printf("dry run: SIGTERM to exit 0 in %.2f s%n", stopSeconds);
                List<String> lines = c.stdout().lines().toList();
                String host = InetAddress.getLocalHost().getHostName();
                DevoLinesOnTheWire.assertExactlyOnce(sim.events(), lines, System.getenv().getOrDefault("HOSTNAME", host));
                assertTrue(c.stderr().contains("DRY RUN"), c.stderr());
                assertFalse(c.stderr().contains(key), "the API key never appears in the log");
                assertTrue(Files.exists(dir.resolve("state/all.json")));
            }
        }
    }

    /**
     * Two collectors (not replicas) started by mistake with one state folder, as two processes: the
     * second stops at start with exit code 2 and one line naming the setting and the folder, and the
     * first goes on; once the first has stopped, another starts on the folder.
     */
    @Test
    void aSecondCollectorOnTheSameStateFolderStopsAtStart() throws Exception {
        Instant from = Instant.now().minus(30, ChronoUnit.MINUTES);
        try (JumpCloudSimulator sim = new JumpCloudSimulator()) {
            sim.addEvents(new EventFactory().series(List.of("sso"), from, Duration.ofMillis(50), 100));
            Path state = dir.resolve("state");
            java.util.function.Function<String, CollectorProcess> collector = name -> {
                try {
                    return new CollectorProcess(dir.resolve(name))
                            .env("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY)
                            .env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                            .env("JUMPCLOUD_HISTORIC_DATE_UTC", CollectorRun.historic(from.minusSeconds(1)))
                            .env("COLLECTOR_STATE_DIR", state.toString());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            try (CollectorProcess first = collector.apply("first").start()) {
                CollectorRun.await(() -> first.stderr().contains("The data is up to date!"), Duration.ofSeconds(60), "the first pull");
                try (CollectorProcess second = collector.apply("second").start()) {
                    assertEquals(2, second.waitFor(60), second.stderr());
                    assertTrue(second.stderr().contains("collector.state-dir: another collector is running with the state folder "
                            + state.toAbsolutePath()), second.stderr());
                    assertEquals("", second.stdout(), "the second sent nothing");
                }
                assertTrue(first.isAlive(), "the first goes on");
                assertEquals(0, first.terminate(15), first.stderr());
            }
            try (CollectorProcess third = collector.apply("third").start()) {
                CollectorRun.await(() -> third.stderr().contains("The data is up to date!"), Duration.ofSeconds(60),
                        "a collector started once the first stopped");
                assertEquals(0, third.terminate(15), third.stderr());
                assertEquals("", third.stdout(), "the state the first saved: nothing sent again");
            }
        }
    }
}
