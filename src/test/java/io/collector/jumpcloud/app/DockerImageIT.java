package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Docker image runs, checked where no Docker engine is: its JVM flags are the ones the
 * benchmark measured (bench/collector-jvm.opts), and its class-data archive step makes an archive
 * that this JDK loads the collector from.
 */
class DockerImageIT {
    @TempDir
    Path dir;

    static List<String> benchmarkedFlags() throws Exception {
        List<String> flags = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("bench/collector-jvm.opts"))) {
            if (!line.startsWith("#") && !line.isBlank()) {
                flags.addAll(List.of(line.trim().split("\\s+")));
            }
        }
        return flags;
    }

    @Test
    void theImageRunsTheFlagsTheBenchmarkMeasured() throws Exception {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher m = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]+)\"").matcher(dockerfile);
        assertTrue(m.find(), "the Dockerfile sets JAVA_TOOL_OPTIONS");
        List<String> expected = new ArrayList<>(benchmarkedFlags());
        expected.add("-XX:SharedArchiveFile=/app/collector.jsa");
        assertEquals(expected, List.of(m.group(1).trim().split("\\s+")));
        assertTrue(dockerfile.contains("MALLOC_ARENA_MAX=2"), "as the benchmark runs the collector");
        assertTrue(dockerfile.contains("RUN mvn -B -ntp package -DskipTests"), "the build CI runs, without its tests");
        assertTrue(dockerfile.contains("./cds-training.sh /app/jumpcloud-devo-collector.jar /app/collector.jsa"));
    }

    /** The image's HEALTHCHECK command, run as Docker runs it: with the image's JAVA_TOOL_OPTIONS. */
    @Test
    void theHealthCheckCommandAnswersForARunningCollector() throws Exception {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher opts = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]+)\"").matcher(dockerfile);
        Matcher cmd = Pattern.compile("HEALTHCHECK[^\\[]*CMD \\[([^\\]]+)\\]").matcher(dockerfile);
        assertTrue(opts.find() && cmd.find(), "HEALTHCHECK CMD [...] and JAVA_TOOL_OPTIONS in the Dockerfile");
        List<String> healthcheck = new ArrayList<>();
        for (String part : cmd.group(1).split(",")) {
            String arg = part.trim().replaceAll("^\"|\"$", "");
            healthcheck.add(arg.equals("/app/jumpcloud-devo-collector.jar") ? CollectorProcess.jar().toAbsolutePath().toString()
                    : arg.equals("java") ? Path.of(System.getProperty("java.home"), "bin", "java").toString() : arg);
        }
        int port = HealthAndMetricsTest.freePort();
        assertEquals(1, health(healthcheck, opts.group(1), port), "nothing listens yet: unhealthy");
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        try (JumpCloudSimulator sim = new JumpCloudSimulator()) {
            sim.addEvents(new EventFactory().series(List.of("sso"), from, Duration.ofMillis(100), 100));
            try (CollectorProcess c = new CollectorProcess(dir.resolve("run"))
                    .env("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY)
                    .env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                    .env("JUMPCLOUD_HISTORIC_DATE_UTC", CollectorRun.historic(from.minusSeconds(1)))
                    .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())
                    .env("CAMEL_SERVER_PORT", Integer.toString(port))
                    .start()) {
                CollectorRun.await(() -> c.stderr().contains("The data is up to date!"), Duration.ofSeconds(60), "the first pull");
                assertEquals(0, health(healthcheck, opts.group(1), port), "a collector that pulled: healthy");
            }
        }
    }

    private int health(List<String> command, String javaToolOptions, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("health.txt").toFile());
        pb.environment().put("JAVA_TOOL_OPTIONS", javaToolOptions);
        pb.environment().put("CAMEL_SERVER_PORT", Integer.toString(port));
        Process p = pb.start();
        assertTrue(p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS), "within the HEALTHCHECK's 15 s timeout");
        System.out.println("health check: " + Files.readString(dir.resolve("health.txt")).strip().replace('\n', ' '));
        return p.exitValue();
    }

    @Test
    void theClassDataArchiveIsMadeAndTheCollectorStartsFromIt() throws Exception {
        Path archive = dir.resolve("collector.jsa");
        String jar = CollectorProcess.jar().toAbsolutePath().toString();
        Process training = new ProcessBuilder("bash", "src/main/sh/cds-training.sh", jar, archive.toString(),
                String.join(" ", benchmarkedFlags())).inheritIO().start();
        assertEquals(0, training.waitFor(), "the training run");
        assertTrue(Files.size(archive) > 10_000_000, "an archive of the start's classes: " + Files.size(archive));

        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        try (JumpCloudSimulator sim = new JumpCloudSimulator()) {
            sim.addEvents(new EventFactory().series(List.of("directory", "sso"), from, Duration.ofMillis(100), 300));
            List<String> flags = new ArrayList<>(benchmarkedFlags());
            // -Xshare:on: the JVM refuses to start if it cannot use the archive
            flags.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Xlog:class+load=info:file=" + dir.resolve("classes.log")));
            try (CollectorProcess c = new CollectorProcess(dir.resolve("run")).jvm(flags.toArray(String[]::new))
                    .env("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY)
                    .env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                    .env("JUMPCLOUD_HISTORIC_DATE_UTC", CollectorRun.historic(from.minusSeconds(1)))
                    .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())
                    .env("CAMEL_SERVER_PORT", "0")
                    .start()) {
                CollectorRun.await(() -> c.stderr().contains("The data is up to date!") || !c.isAlive(), Duration.ofSeconds(60), "the first pull");
                assertEquals(300, c.stdout().lines().count(), "the dry run's lines:\n" + c.stderr());
                assertEquals(0, c.terminate(15), c.stderr());
            }
            long fromArchive = Files.readAllLines(dir.resolve("classes.log")).stream().filter(l -> l.contains("shared objects file (top)")).count();
            System.out.printf("classes loaded from the class-data archive: %d%n", fromArchive);
            assertTrue(fromArchive > 3000, "the collector's own and Camel's classes come from the archive: " + fromArchive);
        }
    }

    @Test
    void theTrainingRunReachesNoRelayTheBuildersSettingsName() throws Exception {
        // mvn package runs the training in the user's shell and folder: a shell set up for a real run
        // (DEVO_*, an application.properties naming the relay, JAVA_TOOL_OPTIONS) must not reach that
        // relay, nor fail the build over its certificate files
        try (java.net.ServerSocket relay = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path project = dir.resolve("project");
            copyTree(Path.of("routes"), project.resolve("routes"));
            Files.writeString(project.resolve("application.properties"), "devo.host=127.0.0.1\ndevo.port=" + relay.getLocalPort() + "\n");
            Path archive = dir.resolve("collector.jsa");
            ProcessBuilder pb = new ProcessBuilder("bash", Path.of("src/main/sh/cds-training.sh").toAbsolutePath().toString(),
                    CollectorProcess.jar().toAbsolutePath().toString(), archive.toString()).directory(project.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("training.txt").toFile());
            pb.environment().put("DEVO_HOST", "127.0.0.1");
            pb.environment().put("DEVO_PORT", Integer.toString(relay.getLocalPort()));
            pb.environment().put("DEVO_TLS_CERT_FILE", dir.resolve("missing.crt").toString());
            pb.environment().put("JAVA_TOOL_OPTIONS", "-XX:SharedArchiveFile=" + dir.resolve("missing.jsa"));
            Process training = pb.start();
            assertEquals(0, training.waitFor(), Files.readString(dir.resolve("training.txt")));
            assertTrue(Files.size(archive) > 10_000_000, "the archive was made: " + Files.size(archive));
            relay.setSoTimeout(200);
            assertThrows(java.net.SocketTimeoutException.class, relay::accept, "no connection to the relay the builder's settings name");
        }
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
