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
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocket;

/**
 * The benchmark command (bench/run.sh): the real collector jar, as a child process with the settings
 * a user sets, against the project's JumpCloud simulator and a TLS relay on loopback, from start until
 * the relay counted every event; then the raw limit of this machine in the same run: the same pages
 * fetched and their bytes written over the same kind of TLS connection with no parsing.
 * Prints the figures and writes them as JSON to target/bench.json.
 */
public final class Benchmark {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long latencyMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
        String services = args.length > 2 ? args[2] : "all";
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        Path work = Files.createTempDirectory("bench");
        TestPki pki = TestPki.create(work.resolve("pki"));
        Instant from = Instant.now().minus(30, ChronoUnit.DAYS);
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver relay = TlsLineReceiver.start(pki, true)) {
            EventFactory f = new EventFactory();
            List<String> six = List.of("directory", "systems", "sso", "radius", "ldap", "mdm");
            sim.addEvents(f.series(six, from, Duration.ofMillis(20), n - n / 20));
            sim.addEvents(f.burst("sso", from.plus(Duration.ofDays(1)), n / 20));       // a burst on one timestamp
            sim.latency(Duration.ofMillis(latencyMs));
            long bytes = sim.events().stream().mapToLong(e -> e.raw().length() + 60).sum();

            List<String> cmd = new java.util.ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // the collector's JVM flags: COLLECTOR_JAVA_OPTS (bench/run.sh sets the recommended ones)
            String opts = System.getenv().getOrDefault("COLLECTOR_JAVA_OPTS", "").trim();
            if (!opts.isEmpty()) {
                cmd.addAll(List.of(opts.split("\\s+")));
            }
            cmd.addAll(List.of("-jar", "target/jumpcloud-devo-collector.jar"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(work.resolve("collector.log").toFile());
            System.err.println("collector: " + String.join(" ", cmd) + " (log " + work.resolve("collector.log") + ")");
            pb.environment().put("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY);
            pb.environment().put("JUMPCLOUD_BASE_URL", sim.baseUrl());
            pb.environment().put("JUMPCLOUD_SERVICES", services);
            pb.environment().put("JUMPCLOUD_PAGE_SIZE", "10000");
            pb.environment().put("JUMPCLOUD_HISTORIC_DATE_UTC",
                    java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(from.minusSeconds(1).atOffset(java.time.ZoneOffset.UTC)));
            pb.environment().put("COLLECTOR_STATE_DIR", work.resolve("state").toString());
            pb.environment().put("DEVO_HOST", "localhost");
            pb.environment().put("DEVO_PORT", Integer.toString(relay.port()));
            pb.environment().put("DEVO_TLS_CERT_FILE", pki.clientCert().toString());
            pb.environment().put("DEVO_TLS_KEY_FILE", pki.clientKey().toString());
            pb.environment().put("DEVO_TLS_CA_FILE", pki.ca().toString());
            long t0 = System.nanoTime();
            Process p = pb.start();
            long firstEventNanos = -1;
            int linesAtFirst = 0;
            long peakRssKb = 0;
            while (relay.lineCount() < n) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the collector stopped; see " + work.resolve("collector.log"));
                }
                int seen = relay.lineCount();
                if (firstEventNanos < 0 && seen > 0) {
                    firstEventNanos = System.nanoTime() - t0;
                    linesAtFirst = seen;
                }
                peakRssKb = Math.max(peakRssKb, status(p.pid(), "VmHWM:"));
                Thread.sleep(20);
            }
            long endNanos = System.nanoTime();
            double seconds = (endNanos - t0) / 1e9;
            // throughput once the first line arrived: the pull itself, without the JVM's and Camel's start
            double steadyEps = firstEventNanos > 0 ? (n - linesAtFirst) / ((endNanos - t0 - firstEventNanos) / 1e9) : 0;
            peakRssKb = Math.max(peakRssKb, status(p.pid(), "VmHWM:"));
            double cpu = cpuSeconds(p.pid());
            p.destroy();
            p.waitFor();

            double raw = rawLimit(sim, pki, relay.port(), n);
            double eps = n / seconds;
            String json = String.format(Locale.ROOT,
                    "{\"events\":%d,\"services\":\"%s\",\"latency_ms\":%d,\"seconds\":%.3f,\"events_per_s\":%.0f,\"mb_per_s\":%.2f,"
                            + "\"raw_limit_events_per_s\":%.0f,\"ratio_to_raw\":%.3f,\"steady_events_per_s\":%.0f,\"steady_ratio_to_raw\":%.3f,"
                            + "\"peak_rss_mb\":%.1f,\"cpu_seconds\":%.2f,\"first_event_s\":%.3f,\"loadavg_before\":\"%s\"}",
                    n, services, latencyMs, seconds, eps, bytes / seconds / 1e6, raw, eps / raw, steadyEps, steadyEps / raw,
                    peakRssKb / 1024.0, cpu, firstEventNanos / 1e9, loadBefore);
            System.out.println(json);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/bench.json"), json + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    /** The same pages, fetched and written over TLS as they come: no parsing, no Camel. */
    static double rawLimit(JumpCloudSimulator sim, TestPki pki, int port, int n) throws Exception {
        var tls = io.collector.jumpcloud.tls.DevoTlsMaterial.load(pki.clientCert(), pki.clientKey(), java.util.Optional.empty(), pki.ca(), Instant.now());
        HttpClient http = HttpClient.newHttpClient();
        long t0 = System.nanoTime();
        int sent = 0;
        try (SSLSocket s = (SSLSocket) tls.sslContext().getSocketFactory().createSocket("localhost", port)) {
            OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
            String after = null;
            while (true) {
                String body = "{\"service\":[\"all\"],\"start_time\":\"2000-01-01T00:00:00Z\",\"limit\":10000"
                        + (after == null ? "" : ",\"search_after\":" + after) + "}";
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/insights/directory/v1/events"))
                        .header("x-api-key", JumpCloudSimulator.DEFAULT_API_KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
                byte[] page = r.body();
                out.write(page);
                out.write('\n');
                int count = Integer.parseInt(r.headers().firstValue("X-Result-Count").orElse("0"));
                sent += count;
                after = r.headers().firstValue("X-Search_after").orElse(null);
                if (count < 10000) {
                    break;
                }
            }
            out.flush();
        }
        return sent / ((System.nanoTime() - t0) / 1e9);
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
