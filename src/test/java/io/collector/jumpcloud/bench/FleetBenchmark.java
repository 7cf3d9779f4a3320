package io.collector.jumpcloud.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The many-routes benchmark ({@code bench/run.sh fleet ORGS SERVICES [WINDOW_S]}): a managed service
 * provider's key with ORGS organizations, each pulled for SERVICES ({@code six} or a list, or
 * {@code all}), with the settings a user leaves at their defaults (poll interval, request budget,
 * page size, count check). Each organization has a short backlog (20 events per route over the last
 * 30 minutes) and a live trickle (one event a minute). It reports the time until every backlog is
 * in, then over a steady window of WINDOW_S seconds (default 180): the collector's CPU (of one core),
 * its requests per second against the budget, how long a new event takes to reach the relay, its
 * threads and peak RSS; at the end, every event once (none missed, none doubled), then over a minute
 * the collector's CPU in the seconds without a request (idle between polls; none with the default
 * budget at 600 routes: {@code BENCH_ENV="JUMPCLOUD_POLL_INTERVAL=300000"} shows it).
 */
public final class FleetBenchmark {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int BACKLOG_PER_ROUTE = 20;
    static final Duration TRICKLE_PERIOD = Duration.ofSeconds(60);

    record Figures(int orgs, String services, int routes, String orgsPerRequest, int backlog, double backlogSeconds,
                   double firstEventSeconds, double windowSeconds, double cpuPercentOfOneCore, double requestsPerSecond,
                   double eventRequestsPerSecond, double budget, int trickleSeen, double freshnessP50, double freshnessMax, int peakThreads,
                   double peakRssMb, int relayConnections, int expected, int received, int duplicates, int missed,
                   int idleSeconds, double idleCpuPercentOfOneCore) {
        /** The collector's CPU per API request in the steady window: what a poll costs. */
        double cpuMsPerRequest() {
            return requestsPerSecond == 0 ? Double.NaN : 10 * cpuPercentOfOneCore / requestsPerSecond;
        }

        String json() {
            return String.format(Locale.ROOT, "{\"orgs\":%d,\"services\":\"%s\",\"routes\":%d,\"orgs_per_request\":\"%s\",\"backlog_events\":%d,"
                            + "\"backlog_seconds\":%.1f,\"first_event_s\":%.2f,\"window_s\":%.0f,\"cpu_percent_of_one_core\":%.2f,"
                            + "\"requests_per_s\":%.2f,\"event_requests_per_s\":%.2f,\"budget_per_s\":%.1f,\"trickle_events_timed\":%d,"
                            + "\"freshness_p50_s\":%.1f,\"freshness_max_s\":%.1f,\"peak_threads\":%d,\"peak_rss_mb\":%.1f,"
                            + "\"relay_connections\":%d,\"cpu_ms_per_request\":%.1f,\"events_expected\":%d,\"lines_received\":%d,\"duplicates\":%d,\"missed\":%d,"
                            + "\"idle_seconds\":%d,\"idle_cpu_percent_of_one_core\":%.2f}",
                    orgs, services, routes, orgsPerRequest, backlog, backlogSeconds, firstEventSeconds, windowSeconds, cpuPercentOfOneCore,
                    requestsPerSecond, eventRequestsPerSecond, budget, trickleSeen, freshnessP50, freshnessMax, peakThreads, peakRssMb,
                    relayConnections, cpuMsPerRequest(), expected, received, duplicates, missed, idleSeconds, idleCpuPercentOfOneCore);
        }
    }

    public static void main(String[] args) throws Exception {
        int orgs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        String services = args.length > 1 ? (args[1].equals("six") ? Benchmark.SIX : args[1]) : Benchmark.SIX;
        long windowS = args.length > 2 ? Long.parseLong(args[2]) : 180;
        Figures f = run(orgs, services, windowS);
        System.out.println(f.json());
        System.out.printf(Locale.ROOT, "%n%d organizations x %s = %d routes (orgs per request: %s)%n", f.orgs(), f.services(), f.routes(),
                f.orgsPerRequest());
        System.out.printf(Locale.ROOT, "backlog of %,d events in after %.1f s (first line after %.2f s)%n", f.backlog(), f.backlogSeconds(),
                f.firstEventSeconds());
        System.out.printf(Locale.ROOT, "steady %.0f s: CPU %.2f %% of one core (%.1f ms a request); %.2f requests/s (%.2f of them events pages) of a budget of %.1f/s%n",
                f.windowSeconds(), f.cpuPercentOfOneCore(), f.cpuMsPerRequest(), f.requestsPerSecond(), f.eventRequestsPerSecond(), f.budget());
        System.out.printf(Locale.ROOT, "a new event reaches the relay after %.1f s (median of %d), %.1f s at most%n", f.freshnessP50(),
                f.trickleSeen(), f.freshnessMax());
        System.out.printf(Locale.ROOT, "peak threads %d, peak RSS %.0f MB, %d connections to the relay; %,d events, %,d lines: %d doubled, %d missed%n", f.peakThreads(),
                f.peakRssMb(), f.relayConnections(), f.expected(), f.received(), f.duplicates(), f.missed());
        System.out.println(f.idleSeconds() == 0
                ? "idle between polls: never in " + IDLE_WINDOW_S + " s (the polls use the whole request budget)"
                : String.format(Locale.ROOT, "idle between polls: CPU %.2f %% of one core over %d s without a request", f.idleCpuPercentOfOneCore(),
                f.idleSeconds()));
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        String commit = System.getenv().getOrDefault("BENCH_COMMIT", "unknown");
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(java.time.LocalDateTime.now());
        Path file = dir.resolve("fleet-" + commit + "-" + stamp + ".json");
        Files.writeString(file, "{\"commit\":\"" + commit + "\",\"collector_java_opts\":\"" + System.getenv().getOrDefault("COLLECTOR_JAVA_OPTS", "")
                + "\",\"bench_env\":\"" + System.getenv().getOrDefault("BENCH_ENV", "") + "\",\"run\":" + f.json() + "}\n");
        System.out.println("figures: " + file);
    }

    static Figures run(int orgCount, String services, long windowS) throws Exception {
        Path work = Files.createTempDirectory("fleet");
        TestPki pki = TestPki.create(work.resolve("pki"));
        List<String> orgs = new ArrayList<>();
        for (int i = 1; i <= orgCount; i++) {
            orgs.add(String.format(Locale.ROOT, "5bf6%020x", i));
        }
        List<String> routeServices = services.equals("all") ? Arrays.asList(Benchmark.SIX.split(",")) : Arrays.asList(services.split(","));
        int routesPerOrg = services.equals("all") ? 1 : routeServices.size();
        Instant now = Instant.now();
        try (JumpCloudSimulator sim = new JumpCloudSimulator().multiTenant(true); TlsLineReceiver relay = TlsLineReceiver.start(pki, true)) {
            Set<String> backlogIds = new HashSet<>();
            for (String org : orgs) {
                EventFactory f = new EventFactory().withOrganization(org);
                List<String> events = f.series(routeServices, now.minus(30, ChronoUnit.MINUTES),
                        Duration.ofMinutes(30).dividedBy(BACKLOG_PER_ROUTE * routesPerOrg), BACKLOG_PER_ROUTE * routesPerOrg);
                sim.addEvents(events);
                for (String e : events) {
                    backlogIds.add(JSON.readTree(e).path("id").asText());
                }
            }
            int backlog = backlogIds.size();

            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("JUMPCLOUD_ORG_ID", String.join(",", orgs));
            settings.put("JUMPCLOUD_SERVICES", services);
            settings.put("JUMPCLOUD_HISTORIC_DATE_UTC",
                    DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(now.minus(1, ChronoUnit.HOURS).atOffset(ZoneOffset.UTC)));
            ProcessBuilder pb = Benchmark.collector(work, pki, sim.baseUrl(), relay.port(), settings);
            String budgetSetting = pb.environment().getOrDefault("JUMPCLOUD_MAX_REQUESTS_PER_SECOND", "10");
            String perRequest = pb.environment().getOrDefault("JUMPCLOUD_ORGS_PER_REQUEST", "1");

            Map<String, Long> trickleAddedAt = new ConcurrentHashMap<>();
            Trickle trickle = new Trickle(sim, orgs, routeServices, trickleAddedAt);
            long t0 = System.nanoTime();
            Process p = pb.start();
            trickle.start();
            Watch watch = new Watch(relay, backlogIds, trickleAddedAt, p.pid());
            try {
                long backlogDone = -1;
                long firstLine = -1;
                while (backlogDone < 0) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("the collector stopped; see " + work.resolve("collector.log"));
                    }
                    watch.poll();
                    if (firstLine < 0 && watch.lines > 0) {
                        firstLine = System.nanoTime();
                    }
                    if (watch.backlogLeft.isEmpty()) {
                        backlogDone = System.nanoTime();
                    } else if (System.nanoTime() - t0 > Duration.ofMinutes(20).toNanos()) {
                        throw new IllegalStateException(watch.backlogLeft.size() + " backlog events still missing after 20 minutes; see "
                                + work.resolve("collector.log"));
                    }
                    Thread.sleep(250);
                }
                System.err.printf(Locale.ROOT, "backlog in after %.1f s; steady window of %d s%n", (backlogDone - t0) / 1e9, windowS);
                // the steady window: the collector keeps every organization fresh
                double cpu0 = Benchmark.cpuSeconds(p.pid());
                int req0 = sim.requests().size();
                int ev0 = sim.eventRequests().size();
                long w0 = System.nanoTime();
                watch.timeFrom(w0);
                while (System.nanoTime() - w0 < windowS * 1_000_000_000L) {
                    watch.poll();
                    Thread.sleep(250);
                }
                double window = (System.nanoTime() - w0) / 1e9;
                double cpu = Benchmark.cpuSeconds(p.pid()) - cpu0;
                int requests = sim.requests().size() - req0;
                int eventRequests = sim.eventRequests().size() - ev0;
                // the end: no new events; wait until every one is in (or a poll round and a half went by)
                trickle.stop();
                int expected = sim.eventCount();
                long pollS = Long.parseLong(pb.environment().getOrDefault("JUMPCLOUD_POLL_INTERVAL", "60000")) / 1000;
                long end = System.nanoTime() + Duration.ofSeconds(Math.max(Math.max(180, pollS * 3 / 2),
                        (long) (2.0 * orgCount * routesPerOrg / Double.parseDouble(budgetSetting)))).toNanos();
                while (watch.ids.size() < expected && System.nanoTime() < end) {
                    watch.poll();
                    Thread.sleep(250);
                }
                Thread.sleep(1000);
                watch.poll();
                Idle idle = idle(sim, p.pid(), IDLE_WINDOW_S);
                // an event still on its way at the drain's end is not missed if it came during the idle minute
                // (its delay, not measured there, stays out of the freshness figures)
                watch.timeFrom(Long.MAX_VALUE);
                watch.poll();
                return new Figures(orgCount, services, (orgCount + Integer.parseInt(perRequest) - 1) / Integer.parseInt(perRequest) * routesPerOrg, perRequest, backlog, (backlogDone - t0) / 1e9,
                        (firstLine - t0) / 1e9, window, 100 * cpu / window, requests / window, eventRequests / window,
                        Double.parseDouble(budgetSetting), watch.delays.size(), watch.percentile(0.5), watch.percentile(1.0),
                        watch.peakThreads, watch.peakRssKb / 1024.0, relay.connectionsAccepted(), expected, watch.lines, watch.duplicates, expected - watch.ids.size(),
                        idle.seconds(), idle.cpuPercentOfOneCore());
            } finally {
                trickle.stop();
                p.destroy();
                p.waitFor();
            }
        }
    }

    /** The seconds between polls: none of the collector's requests in them or the second before. */
    record Idle(int seconds, double cpuPercentOfOneCore) {
    }

    static final int IDLE_WINDOW_S = 60;

    /**
     * The collector's CPU while it waits for its next polls: over {@code windowS} seconds, the seconds
     * in which JumpCloud saw no request (nor in the second before, when a page's delivery may still run).
     */
    static Idle idle(JumpCloudSimulator sim, long pid, int windowS) throws Exception {
        int seconds = 0;
        double cpu = 0;
        int requests = sim.requests().size();
        boolean quietBefore = false;
        double c0 = Benchmark.cpuSeconds(pid);
        for (int i = 0; i < windowS; i++) {
            Thread.sleep(1000);
            double c1 = Benchmark.cpuSeconds(pid);
            int r = sim.requests().size();
            boolean quiet = r == requests;
            if (quiet && quietBefore) {
                seconds++;
                cpu += c1 - c0;
            }
            quietBefore = quiet;
            requests = r;
            c0 = c1;
        }
        return new Idle(seconds, seconds == 0 ? 0 : 100 * cpu / seconds);
    }

    /** One event a minute for each organization, spread evenly over the minute; remembers when each was added. */
    static final class Trickle implements Runnable {
        private final JumpCloudSimulator sim;
        private final List<String> orgs;
        private final List<String> services;
        private final Map<String, Long> addedAt;
        private volatile boolean running = true;
        private Thread thread;

        Trickle(JumpCloudSimulator sim, List<String> orgs, List<String> services, Map<String, Long> addedAt) {
            this.sim = sim;
            this.orgs = orgs;
            this.services = services;
            this.addedAt = addedAt;
        }

        void start() {
            thread = new Thread(this, "trickle");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            if (thread != null) {
                thread.join();
            }
        }

        @Override
        public void run() {
            long tickMs = Math.max(10, TRICKLE_PERIOD.toMillis() / orgs.size());
            int i = 0;
            try {
                while (running) {
                    String org = orgs.get(i % orgs.size());
                    String service = services.get((i / orgs.size()) % services.size());
                    String raw = new EventFactory().withOrganization(org).series(List.of(service), Instant.now(), Duration.ZERO, 1).get(0);
                    addedAt.put(JSON.readTree(raw).path("id").asText(), System.nanoTime());
                    sim.addEvent(raw);
                    i++;
                    Thread.sleep(tickMs);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** What reached the relay: every id once, the backlog's, the trickle's delays; the collector's threads and RSS. */
    static final class Watch {
        private final TlsLineReceiver relay;
        final Set<String> backlogLeft;
        private final Map<String, Long> addedAt;
        private final long pid;
        final Set<String> ids = new HashSet<>();
        final List<Double> delays = new ArrayList<>();
        int lines;
        int duplicates;
        int peakThreads;
        long peakRssKb;
        private long timeFrom = Long.MAX_VALUE;

        Watch(TlsLineReceiver relay, Set<String> backlog, Map<String, Long> addedAt, long pid) {
            this.relay = relay;
            this.backlogLeft = new HashSet<>(backlog);
            this.addedAt = addedAt;
            this.pid = pid;
        }

        /** Events added from then on are timed (the steady window). */
        void timeFrom(long nanos) {
            timeFrom = nanos;
        }

        void poll() throws Exception {
            long now = System.nanoTime();
            List<String> all = relay.lines();
            for (String line : all.subList(lines, all.size())) {
                String id = JSON.readTree(line.substring(line.indexOf('{'))).path("id").asText();
                if (!ids.add(id)) {
                    duplicates++;
                }
                backlogLeft.remove(id);
                Long added = addedAt.get(id);
                if (added != null && added >= timeFrom) {
                    delays.add((now - added) / 1e9);
                }
            }
            lines = all.size();
            peakThreads = (int) Math.max(peakThreads, Benchmark.status(pid, "Threads:"));
            peakRssKb = Math.max(peakRssKb, Benchmark.status(pid, "VmHWM:"));
        }

        double percentile(double q) {
            if (delays.isEmpty()) {
                return Double.NaN;
            }
            List<Double> sorted = new ArrayList<>(delays);
            sorted.sort(null);
            return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
        }
    }
}
