package io.collector.jumpcloud.karaf;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * An Apache Karaf unpacked from its distribution archive (the one in the local Maven repository),
 * set up as docs/karaf.md says: Maven artifacts from the local repository only (offline), the
 * features to install at boot, configurations as etc/*.cfg files. Started as {@code bin/karaf server},
 * stopped with {@code bin/stop}; {@link #close} kills what is left.
 */
final class KarafRuntime implements AutoCloseable {
    private final Path home;
    private Process process;

    private KarafRuntime(Path home) {
        this.home = home;
    }

    /** Unpacks the distribution into {@code dir} (emptied first) with tar, which keeps bin/'s modes. */
    static KarafRuntime unpack(Path distribution, Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        Process tar = new ProcessBuilder("tar", "xzf", distribution.toAbsolutePath().toString(), "-C", dir.toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (tar.waitFor() != 0) {
            throw new IllegalStateException("tar xzf " + distribution + ": " + out);
        }
        try (Stream<Path> top = Files.list(dir)) {
            Path home = top.filter(p -> Files.isExecutable(p.resolve("bin/karaf"))).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no bin/karaf in " + distribution));
            return new KarafRuntime(home);
        }
    }

    Path home() {
        return home;
    }

    Path etc(String file) {
        return home.resolve("etc").resolve(file);
    }

    Path log() {
        return home.resolve("data/log/karaf.log");
    }

    /**
     * Maven URLs resolve from Karaf's system/ folder and then the given local repository only: no
     * remote repository (etc/org.ops4j.pax.url.mvn.cfg).
     */
    KarafRuntime offline(Path localRepository) throws IOException {
        Files.writeString(etc("org.ops4j.pax.url.mvn.cfg"), String.join("\n",
                "# KarafIT: artifacts from system/ and the build's local repository, nothing downloaded",
                "org.ops4j.pax.url.mvn.localRepository=" + localRepository.toAbsolutePath(),
                "org.ops4j.pax.url.mvn.offline=true",
                "org.ops4j.pax.url.mvn.useFallbackRepositories=false",
                "org.ops4j.pax.url.mvn.defaultRepositories=${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots",
                "org.ops4j.pax.url.mvn.repositories=",
                ""), StandardCharsets.UTF_8);
        return this;
    }

    /** Puts a file into system/ as the Maven artifact groupId:artifactId:version[:type[:classifier]]. */
    KarafRuntime deploy(Path file, String groupId, String artifactId, String version, String type, String classifier) throws IOException {
        Path dir = home.resolve("system").resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version);
        Files.createDirectories(dir);
        Files.copy(file, dir.resolve(artifactId + "-" + version + (classifier == null ? "" : "-" + classifier) + "." + type),
                StandardCopyOption.REPLACE_EXISTING);
        return this;
    }

    /**
     * Adds a features repository and the features to install at boot (etc/org.apache.karaf.features.cfg),
     * and leaves out the boot features that listen on fixed ports (ssh 8101, management 1099/44444).
     */
    KarafRuntime bootFeatures(String repository, String... features) throws IOException {
        Path cfg = etc("org.apache.karaf.features.cfg");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(cfg, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        p.setProperty("featuresRepositories", p.getProperty("featuresRepositories").trim() + ", " + repository);
        List<String> boot = new ArrayList<>();
        for (String f : p.getProperty("featuresBoot").split(",")) {
            String name = f.trim();
            if (!name.isEmpty() && !name.startsWith("ssh/") && !name.startsWith("management/")) {
                boot.add(name);
            }
        }
        boot.addAll(List.of(features));
        p.setProperty("featuresBoot", String.join(", ", boot));
        try (Writer w = Files.newBufferedWriter(cfg, StandardCharsets.UTF_8)) {
            p.store(w, "KarafIT");
        }
        return this;
    }

    /**
     * Writes etc/PID.cfg as an administrator edits it: Felix FileInstall hands it to Configuration
     * Admin (at start, and within a second of a change). Written beside and moved in, so FileInstall
     * never reads half a file.
     */
    KarafRuntime config(String pid, Map<String, String> settings) throws IOException {
        StringBuilder text = new StringBuilder("# KarafIT\n");
        settings.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Path tmp = etc("." + pid + ".cfg.tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, etc(pid + ".cfg"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return this;
    }

    /** {@code bin/karaf server}: no console; its own output goes to karaf-console.out. */
    KarafRuntime start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("karaf-console.out").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        process = pb.start();
        return this;
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    /** {@code bin/stop}, then waits for the framework to stop every bundle and the JVM to exit. */
    boolean stop(Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/stop").toString()).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process stop = pb.start();
        stop.getInputStream().readAllBytes();
        stop.waitFor(30, TimeUnit.SECONDS);
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    long count(String text) {
        String log = logText();
        long n = 0;
        for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + text.length())) {
            n++;
        }
        return n;
    }

    /** The last lines of karaf.log, for a failure's message. */
    String logTail(int lines) {
        List<String> all = logText().lines().toList();
        return "\n--- " + log() + " (last " + lines + " lines) ---\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Waits for the condition; an ERROR in karaf.log (a feature that does not resolve, a failed start) ends the wait. */
    void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (logText().contains("| ERROR |")) {
                throw new AssertionError("an ERROR in karaf.log while waiting for " + what + logTail(80));
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + logTail(60));
            }
            if (!running()) {
                throw new AssertionError("Karaf exited (" + process.exitValue() + ") while waiting for " + what + logTail(60));
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
