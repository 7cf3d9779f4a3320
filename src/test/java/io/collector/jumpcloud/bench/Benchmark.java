package io.collector.jumpcloud.bench;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocket;

/**
 * The benchmark command (bench/run.sh): the real collector jar, as a child process with the settings
 * a user sets, against the project's JumpCloud simulator and a TLS relay on loopback, from start until
 * the relay counted every event; then the raw limit of this machine in the same run: the same pages
 * fetched and their bytes written over the same kind of TLS connection with no parsing.
 *
 * <p>{@code Benchmark} alone runs the matrix (100k and 1M events; {@code all} and the six services as
 * separate routes; no API latency and 200 ms per page); {@code Benchmark N LATENCY_MS SERVICES} runs
 * one case. Prints a table and writes every figure as JSON to {@code target/bench/}.
 */
public final class Benchmark {
    static final int PAGE = 10_000;
    static final String SIX = "directory,systems,sso,radius,ldap,mdm";

    record Case(int events, String services, long latencyMs) {
        String label() {
            return String.format(Locale.ROOT, "%,d %s%s", events, services.equals("all") ? "all" : "six routes",
                    latencyMs == 0 ? "" : ", " + latencyMs + " ms/page");
        }
    }

    record Result(Case c, double seconds, double eventsPerS, double steadyEventsPerS, double secondHalfEventsPerS, double mbPerS,
                  double rawEventsPerS, double latencyBound, double peakRssMb, double cpuSeconds, double firstEventS, long received,
                  long relayBytes) {
        /** Steady events/s of the latency bound (page size / latency), for a case with an API latency. */
        double latencyEfficiency() {
            return c.latencyMs() == 0 ? Double.NaN : steadyEventsPerS / latencyBound;
        }

        String json() {
            return String.format(Locale.ROOT,
                    "{\"events\":%d,\"services\":\"%s\",\"latency_ms\":%d,\"page_size\":%d,\"seconds\":%.3f,\"events_per_s\":%.0f,"
                            + "\"steady_events_per_s\":%.0f,\"second_half_events_per_s\":%.0f,\"mb_per_s\":%.2f,\"raw_limit_events_per_s\":%.0f,"
                            + "\"steady_ratio_to_raw\":%.3f,\"latency_bound_events_per_s\":%s,\"latency_efficiency\":%s,\"peak_rss_mb\":%.1f,"
                            + "\"cpu_seconds\":%.2f,\"first_event_s\":%.3f,\"lines_received\":%d,\"relay_bytes\":%d}",
                    c.events(), c.services(), c.latencyMs(), PAGE, seconds, eventsPerS, steadyEventsPerS, secondHalfEventsPerS, mbPerS,
                    rawEventsPerS, steadyEventsPerS / rawEventsPerS,
                    c.latencyMs() == 0 ? "null" : String.format(Locale.ROOT, "%.0f", latencyBound),
                    c.latencyMs() == 0 ? "null" : String.format(Locale.ROOT, "%.3f", latencyEfficiency()),
                    peakRssMb, cpuSeconds, firstEventS, received, relayBytes);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("fleet")) {
            FleetBenchmark.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        List<Case> cases = new ArrayList<>();
        if (args.length == 0) {
            for (int n : new int[] {100_000, 1_000_000}) {
                for (long latency : new long[] {0, 200}) {
                    cases.add(new Case(n, "all", latency));
                    cases.add(new Case(n, SIX, latency));
                }
            }
        } else {
            cases.add(new Case(Integer.parseInt(args[0]), args.length > 2 ? args[2] : "all", args.length > 1 ? Long.parseLong(args[1]) : 0));
        }
        Instant from = Instant.now().minus(30, ChronoUnit.DAYS);
        List<Result> results = new ArrayList<>();
        List<String> backlog = null;
        int backlogSize = -1;
        for (Case c : cases) {
            if (backlogSize != c.events()) {
                backlog = null; // free the previous backlog first
                backlog = backlog(from, c.events());
                backlogSize = c.events();
            }
            Result r = run(c, backlog, from);
            System.out.println(r.json());
            results.add(r);
        }
        report(results);
    }

    /**
     * N events of the six services with the sample events' shapes and sizes, 20 ms apart, and one
     * burst of N/20 sso events on a single timestamp (pages of one timestamp, the cursor's case).
     */
    static List<String> backlog(Instant from, int n) {
        EventFactory f = new EventFactory();
        List<String> events = new ArrayList<>(n);
        events.addAll(f.series(List.of(SIX.split(",")), from, Duration.ofMillis(20), n - n / 20));
        events.addAll(f.burst("sso", from.plus(Duration.ofDays(1)), n / 20));
        return events;
    }

    private static boolean warmed;

    static Result run(Case c, List<String> backlog, Instant from) throws Exception {
        Path work = Files.createTempDirectory("bench");
        TestPki pki = TestPki.create(work.resolve("pki"));
        int n = backlog.size();
        System.err.println("== " + c.label());
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver relay = TlsLineReceiver.startCounting(pki)) {
            sim.addEvents(backlog);
            sim.latency(Duration.ofMillis(c.latencyMs()));
            long bytes = sim.events().stream().mapToLong(e -> e.raw().length() + 60).sum();
            // the raw limit first: it also warms this JVM (simulator and relay), which would otherwise
            // compile its code while the collector runs and take the CPU from it
            long[] written = new long[1];
            if (!warmed) {
                warmed = true; // the first case: once more before, so that no case measures a cold JVM
                rawLimit(sim, pki, relay.port(), written);
            }
            double raw = rawLimit(sim, pki, relay.port(), written);
            for (long end = System.nanoTime() + 10_000_000_000L; relay.bytesReceived() < written[0] && System.nanoTime() < end; ) {
                Thread.sleep(5); // the relay reads what the raw run wrote before the count starts again
            }
            relay.resetCount();

            java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
            settings.put("JUMPCLOUD_SERVICES", c.services());
            settings.put("JUMPCLOUD_PAGE_SIZE", Integer.toString(PAGE));
            settings.put("JUMPCLOUD_HISTORIC_DATE_UTC",
                    DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(from.minusSeconds(1).atOffset(ZoneOffset.UTC)));
            ProcessBuilder pb = collector(work, pki, sim.baseUrl(), relay.port(), settings);
            long t0 = System.nanoTime();
            Process p = pb.start();
            long firstEventNanos = -1;
            int linesAtFirst = 0;
            long peakRssKb = 0;
            long halfNanos = -1;
            boolean histogram = false;
            while (relay.lineCount() < n) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the collector stopped; see " + work.resolve("collector.log"));
                }
                int seen = relay.lineCount();
                if (firstEventNanos < 0 && seen > 0) {
                    firstEventNanos = System.nanoTime() - t0;
                    linesAtFirst = seen;
                }
                if (halfNanos < 0 && seen >= n / 2) {
                    halfNanos = System.nanoTime();
                }
                peakRssKb = Math.max(peakRssKb, status(p.pid(), "VmHWM:"));
                if (System.getenv("BENCH_HISTO") != null && !histogram && seen > n / 2) {
                    histogram = true; // half way: what the collector's heap holds (diagnostics)
                    new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(p.pid()),
                            "GC.class_histogram").redirectOutput(work.resolve("histogram.txt").toFile()).start().waitFor();
                    System.err.println("heap histogram: " + work.resolve("histogram.txt"));
                }
                Thread.sleep(5);
            }
            long endNanos = System.nanoTime();
            if (firstEventNanos < 0) {
                firstEventNanos = endNanos - t0;
            }
            double seconds = (endNanos - t0) / 1e9;
            // throughput once the first lines arrived: the pipeline itself, without the JVM's and Camel's start
            double steadyEps = (n - linesAtFirst) / Math.max(1e-9, (endNanos - t0 - firstEventNanos) / 1e9);
            // the second half of the events: the pipeline once the JIT compiler has done most of its work
            double secondHalfEps = halfNanos < 0 ? steadyEps : (n - n / 2) / Math.max(1e-9, (endNanos - halfNanos) / 1e9);
            peakRssKb = Math.max(peakRssKb, status(p.pid(), "VmHWM:"));
            double cpu = cpuSeconds(p.pid());
            Thread.sleep(500); // anything sent twice would show now
            long received = relay.lineCount();
            long relayBytes = relay.bytesReceived();
            if (System.getenv("BENCH_NMT") != null) {
                // with -XX:NativeMemoryTracking=summary in COLLECTOR_JAVA_OPTS: where the collector's RSS goes
                new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(p.pid()),
                        "VM.native_memory", "summary").inheritIO().start().waitFor();
            }
            p.destroy();
            p.waitFor();
            if (received != n) {
                System.err.println("WARNING: the relay counted " + received + " lines for " + n + " events");
            }

            double latencyBound = c.latencyMs() == 0 ? Double.POSITIVE_INFINITY : PAGE * 1000.0 / c.latencyMs();
            return new Result(c, seconds, n / seconds, steadyEps, secondHalfEps, bytes / seconds / 1e6, raw, latencyBound, peakRssKb / 1024.0, cpu,
                    firstEventNanos / 1e9, received, relayBytes);
        }
    }

    /**
     * The collector as a user runs it (the jar with the Docker image's flags, or with
     * {@code BENCH_COMMAND=launcher} the README's command), against {@code baseUrl} and the relay, with
     * the key, the state folder and the TLS files set, and {@code settings} (environment names) and
     * {@code BENCH_ENV}'s on top. Its output goes to {@code work/collector.log}.
     */
    static ProcessBuilder collector(Path work, TestPki pki, String baseUrl, int relayPort, java.util.Map<String, String> settings) {
        List<String> cmd = new ArrayList<>();
        boolean launcher = "launcher".equals(System.getenv("BENCH_COMMAND"));
        if (launcher) {
            cmd.add("bin/jumpcloud-devo-collector"); // the README's run command, its own flags
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // the collector's JVM flags: COLLECTOR_JAVA_OPTS (bench/run.sh sets the Dockerfile's)
            String opts = System.getenv().getOrDefault("COLLECTOR_JAVA_OPTS", "").trim();
            if (!opts.isEmpty()) {
                cmd.addAll(List.of(opts.split("\\s+")));
            }
            cmd.addAll(List.of("-jar", "target/jumpcloud-devo-collector.jar"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve("collector.log").toFile());
        if (launcher) {
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().remove("JAVA_OPTS");
        } else {
            pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2"); // as the Docker image and the launcher run it
        }
        System.err.println("collector: " + String.join(" ", cmd) + " (log " + work.resolve("collector.log") + ")");
        // the benchmark's own variable is not a setting: the collector stops at an unknown COLLECTOR_* one
        pb.environment().remove("COLLECTOR_JAVA_OPTS");
        pb.environment().put("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY);
        pb.environment().put("JUMPCLOUD_BASE_URL", baseUrl);
        pb.environment().put("COLLECTOR_STATE_DIR", work.resolve("state").toString());
        pb.environment().put("DEVO_HOST", "localhost");
        pb.environment().put("DEVO_PORT", Integer.toString(relayPort));
        pb.environment().put("DEVO_TLS_CERT_FILE", pki.clientCert().toString());
        pb.environment().put("DEVO_TLS_KEY_FILE", pki.clientKey().toString());
        pb.environment().put("DEVO_TLS_CA_FILE", pki.ca().toString());
        pb.environment().put("CAMEL_SERVER_PORT", "0"); // no clash with a collector running on this machine
        pb.environment().putAll(settings);
        // BENCH_ENV="NAME=value ...": extra settings for the collector (experiments)
        for (String kv : System.getenv().getOrDefault("BENCH_ENV", "").trim().split("\\s+")) {
            if (kv.contains("=")) {
                pb.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return pb;
    }

    /** The same pages, fetched one after the other and written over TLS as they come: no parsing, no Camel. */
    static double rawLimit(JumpCloudSimulator sim, TestPki pki, int port, long[] written) throws Exception {
        var tls = io.collector.jumpcloud.tls.DevoTlsMaterial.load(pki.clientCert(), pki.clientKey(), java.util.Optional.empty(), pki.ca(), Instant.now());
        HttpClient http = HttpClient.newHttpClient();
        long t0 = System.nanoTime();
        int sent = 0;
        try (SSLSocket s = (SSLSocket) tls.sslContext().getSocketFactory().createSocket("localhost", port)) {
            OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
            String after = null;
            while (true) {
                String body = "{\"service\":[\"all\"],\"start_time\":\"2000-01-01T00:00:00Z\",\"limit\":" + PAGE
                        + (after == null ? "" : ",\"search_after\":" + after) + "}";
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/insights/directory/v1/events"))
                        .header("x-api-key", JumpCloudSimulator.DEFAULT_API_KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
                byte[] page = r.body();
                out.write(page);
                out.write('\n');
                written[0] += page.length + 1;
                int count = Integer.parseInt(r.headers().firstValue("X-Result-Count").orElse("0"));
                sent += count;
                after = r.headers().firstValue("X-Search_after").orElse(null);
                if (count < PAGE) {
                    break;
                }
            }
            out.flush();
        }
        return sent / ((System.nanoTime() - t0) / 1e9);
    }

    static void report(List<Result> results) throws Exception {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%n%-33s %9s %9s %9s %6s %9s %6s %7s %9s %7s %6s %7s%n", "case", "events/s", "steady/s",
                "2nd half", "MB/s", "raw/s", "ratio", "lat.eff", "peak RSS", "CPU s", "first", "lines"));
        for (Result r : results) {
            t.append(String.format(Locale.ROOT, "%-33s %9.0f %9.0f %9.0f %6.1f %9.0f %5.0f%% %7s %6.0f MB %7.1f %5.2fs %7d%n", r.c().label(),
                    r.eventsPerS(), r.steadyEventsPerS(), r.secondHalfEventsPerS(), r.mbPerS(), r.rawEventsPerS(),
                    100 * r.steadyEventsPerS() / r.rawEventsPerS(),
                    r.c().latencyMs() == 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * r.latencyEfficiency()),
                    r.peakRssMb(), r.cpuSeconds(), r.firstEventS(), r.received()));
        }
        t.append("events/s: whole run, JVM start included; steady/s: from the first line at the relay to the last; 2nd half:\n"
                + "the last N/2 lines; raw/s: the same pages fetched and written over TLS by a minimal program, same run (with\n"
                + "the latency, one page at a time); ratio: steady/s of raw/s; lat.eff: steady/s of page size / latency (per\n"
                + "route: six routes each have their own); first: start to first line at the relay; lines: counted at the relay.\n");
        System.out.print(t);
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        String commit = System.getenv().getOrDefault("BENCH_COMMIT", "unknown");
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(java.time.LocalDateTime.now());
        StringBuilder json = new StringBuilder("{\"commit\":\"" + commit + "\",\"date\":\"" + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + "\",\"cpus\":" + Runtime.getRuntime().availableProcessors() + ",\"java\":\"" + System.getProperty("java.version")
                + "\",\"collector_java_opts\":\"" + System.getenv().getOrDefault("COLLECTOR_JAVA_OPTS", "") + "\",\"runs\":[\n");
        for (int i = 0; i < results.size(); i++) {
            json.append("  ").append(results.get(i).json()).append(i + 1 < results.size() ? ",\n" : "\n");
        }
        json.append("]}\n");
        Path file = dir.resolve("bench-" + commit + "-" + stamp + ".json");
        Files.writeString(file, json);
        System.out.println("figures: " + file);
    }

    static long status(long pid, String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith(field)) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception ignored) {
            // the process ended
        }
        return 0;
    }

    static double cpuSeconds(long pid) {
        try {
            String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst(".*\\) ", "").split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime + stime, in clock ticks
        } catch (Exception e) {
            return -1;
        }
    }
}
