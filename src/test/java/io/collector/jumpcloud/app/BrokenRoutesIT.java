package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged collector with a hand-edited routes folder gone wrong: it stops with exit code 2 and
 * one line naming the file and line, sends nothing and never runs without its routes. camel-main
 * 4.18 alone exits 1 with a stack trace (syntax, unknown step) or, for a folder without YAML, only
 * after checking the API key.
 */
class BrokenRoutesIT {
    @TempDir
    Path dir;

    private int run(Path routes, JumpCloudSimulator sim, CollectorProcess[] out) throws Exception {
        CollectorProcess c = new CollectorProcess(dir.resolve("run"))
                .env("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY)
                .env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())
                .env("CAMEL_MAIN_ROUTESINCLUDEPATTERN", "file:" + routes + "/*.yaml");
        out[0] = c;
        c.start();
        return c.waitFor(60);
    }

    private Path routesWith(String from, String to) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        String text = Files.readString(Path.of("routes/jumpcloud-to-devo.yaml"), StandardCharsets.UTF_8);
        assertTrue(text.contains(from));
        Files.writeString(routes.resolve("jumpcloud-to-devo.yaml"), text.replace(from, to), StandardCharsets.UTF_8);
        return routes;
    }

    private static int lineOf(Path file, String text) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in " + file);
    }

    private static void assertOneLineError(CollectorProcess c, int rc, String expected) {
        String err = c.stderr();
        assertEquals(2, rc, err);
        List<String> errors = err.lines().filter(l -> l.startsWith("ERROR: configuration: ")).toList();
        assertEquals(1, errors.size(), err);
        assertTrue(errors.get(0).contains(expected), errors.get(0));
        assertTrue(errors.get(0).endsWith("(nothing was sent)"), errors.get(0));
        assertFalse(err.contains("\tat "), "no stack trace:\n" + err);
        assertEquals("", c.stdout(), "no Devo line (dry run prints them)");
    }

    @Test
    void aYamlSyntaxError() throws Exception {
        Path routes = routesWith("streaming: true", "streaming: true\n   oops: [");
        try (JumpCloudSimulator sim = new JumpCloudSimulator()) {
            sim.addEvents(new EventFactory().series(List.of("sso"), Instant.now().minusSeconds(600), Duration.ofSeconds(1), 20));
            CollectorProcess[] c = new CollectorProcess[1];
            try {
                int rc = run(routes, sim, c);
                int line = lineOf(routes.resolve("jumpcloud-to-devo.yaml"), "oops");
                assertOneLineError(c[0], rc, routes.resolve("jumpcloud-to-devo.yaml") + ":" + line + ":");
                assertEquals(0, sim.eventRequests().size(), "camel-main reads the files first: nothing was asked");
            } finally {
                c[0].close();
            }
        }
    }

    @Test
    void aFolderWithoutYaml() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("jumpcloud-to-devo.yaml.bak"), "a backup, not a route file");
        try (JumpCloudSimulator sim = new JumpCloudSimulator()) {
            CollectorProcess[] c = new CollectorProcess[1];
            try {
                int rc = run(routes, sim, c);
                assertOneLineError(c[0], rc, "camel.main.routes-include-pattern: no route file matches 'file:" + routes + "/*.yaml'");
                assertEquals(0, sim.eventRequests().size());
            } finally {
                c[0].close();
            }
        }
    }

    @Test
    void noRoutesFolderAtAll() throws Exception {
        Path routes = dir.resolve("no-such-folder");
        try (JumpCloudSimulator sim = new JumpCloudSimulator()) {
            CollectorProcess[] c = new CollectorProcess[1];
            try {
                int rc = run(routes, sim, c);
                // camel-main lists the folder before the collector's own check runs: its error, in one line
                assertOneLineError(c[0], rc, "camel.main.routes-include-pattern: the folder " + routes + " does not exist");
                assertEquals(0, sim.eventRequests().size());
            } finally {
                c[0].close();
            }
        }
    }

    @Test
    void anUnknownStep() throws Exception {
        Path routes = routesWith("- filter:", "- fliter:");
        try (JumpCloudSimulator sim = new JumpCloudSimulator()) {
            sim.addEvents(new EventFactory().series(List.of("sso"), Instant.now().minusSeconds(600), Duration.ofSeconds(1), 20));
            CollectorProcess[] c = new CollectorProcess[1];
            try {
                int rc = run(routes, sim, c);
                int line = lineOf(routes.resolve("jumpcloud-to-devo.yaml"), "fliter");
                assertOneLineError(c[0], rc, routes.resolve("jumpcloud-to-devo.yaml") + ":" + line + ":");
                assertTrue(c[0].stderr().contains("'fliter' is not a step of Camel's YAML DSL"), c[0].stderr());
                // at most the start's one-event credentials check: no page was pulled
                assertTrue(sim.eventRequests().stream().allMatch(r -> "1".equals(r.bodyText("limit"))), "no pull");
            } finally {
                c[0].close();
            }
        }
    }
}
