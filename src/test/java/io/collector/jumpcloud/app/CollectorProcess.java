package io.collector.jumpcloud.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged collector as a user runs it: {@code java -jar target/jumpcloud-devo-collector.jar} in
 * the project directory, settings from the environment, standard output and error kept in files.
 */
final class CollectorProcess implements AutoCloseable {
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
    private final Path out;
    private final Path err;
    private Process process;

    CollectorProcess(Path workDir) throws IOException {
        Files.createDirectories(workDir);
        this.out = workDir.resolve("stdout.txt");
        this.err = workDir.resolve("stderr.txt");
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("collector.jar", "target/jumpcloud-devo-collector.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn package first (failsafe runs after it)");
        }
        return jar;
    }

    /** JVM flags instead of the default {@code -Xmx256m}. */
    CollectorProcess jvm(String... flags) {
        jvm.clear();
        jvm.addAll(List.of(flags));
        return this;
    }

    CollectorProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    CollectorProcess start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", jar().toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        // nothing from the developer's own environment leaks into the run
        pb.environment().keySet().removeIf(k -> k.startsWith("JUMPCLOUD_") || k.startsWith("DEVO_") || k.startsWith("COLLECTOR_")
                || k.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        pb.environment().putAll(env);
        if (jvm.stream().noneMatch(f -> f.startsWith("-Dcamel.server.port="))) {
            pb.environment().putIfAbsent("CAMEL_SERVER_PORT", "0"); // any free port, unless the test queries it
        }
        process = pb.start();
        return this;
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("collector did not exit within " + seconds + " s; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, as docker stop sends. */
    int terminate(long seconds) throws InterruptedException {
        process.destroy();
        return waitFor(seconds);
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    String stdout() {
        return read(out);
    }

    String stderr() {
        return read(err);
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
