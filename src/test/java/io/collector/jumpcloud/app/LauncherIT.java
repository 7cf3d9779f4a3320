package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jumpcloud-devo-collector, the README's run command: the JVM of JAVA_HOME, every flag of
 * bench/collector-jvm.opts (the bounded heap), then JAVA_OPTS (which win), then the jar and the
 * user's arguments; and the JVM really runs with the bounded heap.
 */
class LauncherIT {
    @TempDir
    Path dir;

    private static List<String> fileFlags() throws Exception {
        List<String> flags = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("bench/collector-jvm.opts"))) {
            if (!line.startsWith("#") && !line.isBlank()) {
                flags.addAll(List.of(line.trim().split("\\s+")));
            }
        }
        return flags;
    }

    private Process launch(Path javaHome, String javaOpts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of("bin/jumpcloud-devo-collector").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("JUMPCLOUD_") || k.startsWith("DEVO_") || k.startsWith("COLLECTOR_"));
        pb.environment().put("JAVA_HOME", javaHome.toString());
        if (javaOpts != null) {
            pb.environment().put("JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher ended");
        return p;
    }

    @Test
    void theLauncherRunsJavaHomesJavaWithTheBoundedFlagsThenJavaOpts() throws Exception {
        // a JAVA_HOME whose java writes down how it was called, then runs the real one
        Path fakeHome = dir.resolve("jdk");
        Files.createDirectories(fakeHome.resolve("bin"));
        Path args = dir.resolve("args.txt");
        Path java = fakeHome.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '" + args + "'\necho \"MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX\" >> '"
                + args + "'\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        Process p = launch(fakeHome, "-Xmx160m -Dexample.flag=1", "--help");
        String out = Files.readString(dir.resolve("out.txt"));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("jumpcloud.page-size"), "the collector's own help ran:\n" + out);

        List<String> called = Files.readAllLines(args);
        List<String> flags = fileFlags();
        assertEquals(flags, called.subList(0, flags.size()), "every flag of bench/collector-jvm.opts, first");
        int jar = called.indexOf("-jar");
        assertEquals(List.of("-Xmx160m", "-Dexample.flag=1"), called.subList(jar - 2, jar), "JAVA_OPTS after the file's flags");
        assertEquals(Path.of("target/jumpcloud-devo-collector.jar").toAbsolutePath().toString(), called.get(jar + 1));
        assertEquals("--help", called.get(jar + 2));
        assertTrue(called.contains("MALLOC_ARENA_MAX=2"), called.toString());
    }

    @Test
    void theJvmItStartsHasTheBoundedHeap() throws Exception {
        // -XshowSettings:vm prints the heap the JVM really took: the file's -Xmx192m, not a quarter of the machine
        Process p = launch(Path.of(System.getProperty("java.home")), "-XshowSettings:vm", "--help");
        String out = Files.readString(dir.resolve("out.txt"));
        assertEquals(0, p.exitValue(), out);
        String maxHeap = fileFlags().stream().filter(f -> f.startsWith("-Xmx")).findFirst().orElseThrow().substring(4);
        assertTrue(out.contains("Max. Heap Size: " + maxHeap.replace("m", "").toUpperCase() + ".00M")
                || out.contains("Max. Heap Size: " + maxHeap.toUpperCase()), out.lines().limit(8).toList().toString());
    }

    @Test
    void theLauncherStartsFromTheClassDataArchiveMavenPackageMade() throws Exception {
        // mvn package trained target/collector.jsa on this very jar; -Xshare:on after the launcher's
        // -Xshare:auto makes a JVM that cannot use it refuse to start
        Path archive = Path.of("target/collector.jsa");
        assertTrue(Files.exists(archive), "mvn package makes " + archive);
        assertTrue(Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(Path.of("target/jumpcloud-devo-collector.jar"))) > 0,
                "made after the jar it fits");
        Path classes = dir.resolve("classes.log");
        Process p = launch(Path.of(System.getProperty("java.home")), "-Xshare:on -Xlog:class+load=info:file=" + classes, "--help");
        String out = Files.readString(dir.resolve("out.txt"));
        assertEquals(0, p.exitValue(), out);
        long fromArchive = Files.readAllLines(classes).stream().filter(l -> l.contains("shared objects file (top)")).count();
        System.out.printf("--help: %d classes from the class-data archive%n", fromArchive);
        assertTrue(fromArchive > 500, "the collector's own classes come from the archive: " + fromArchive);
    }

    @Test
    void aClassDataArchiveTheJvmCannotUseIsSaidOnStandardErrorNotAmongTheLines() throws Exception {
        // the jar and its archive copied to another folder: the archive no longer fits the jar (another
        // path and time), and the JVM says so at every start; standard output is the dry run's Devo lines
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("bench"));
        Files.copy(Path.of("bin/jumpcloud-devo-collector"), home.resolve("bin/jumpcloud-devo-collector"));
        Files.copy(Path.of("bench/collector-jvm.opts"), home.resolve("bench/collector-jvm.opts"));
        Files.copy(Path.of("target/jumpcloud-devo-collector.jar"), home.resolve("jumpcloud-devo-collector.jar"));
        Files.copy(Path.of("target/collector.jsa"), home.resolve("collector.jsa"));
        Files.setLastModifiedTime(home.resolve("collector.jsa"),
                java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(home.resolve("jumpcloud-devo-collector.jar")).toMillis() + 1000));
        ProcessBuilder pb = new ProcessBuilder("sh", home.resolve("bin/jumpcloud-devo-collector").toString(), "--help").directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher ended");
        String stdout = Files.readString(dir.resolve("stdout.txt"));
        String stderr = Files.readString(dir.resolve("stderr.txt"));
        assertEquals(0, p.exitValue(), stdout + stderr);
        assertTrue(stderr.contains("Unable to use shared archive"), "the JVM's warning, on standard error: " + stderr);
        assertTrue(stdout.startsWith("JumpCloud Directory Insights"), "nothing but the collector's own output: " + stdout.lines().limit(2).toList());
    }
}
