package io.collector.jumpcloud.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Runs the simulator as its own process (benchmarks, manual runs) with a generated backlog that ends
 * about a minute before now. Prints {@code READY <baseUrl>} on stdout once listening, then serves
 * until killed.
 *
 * <pre>
 * --port N          listen port on 127.0.0.1 (default 0 = any free port)
 * --events N        backlog size (default 10000)
 * --services a,b    services, round-robin (default directory,sso,radius,mdm,systems,ldap)
 * --latency-ms N    sleep before every /events answer (default 0)
 * --key K           accepted x-api-key (default sim-api-key)
 * --burst N         also put bursts of N events on one identical timestamp (default 0 = none);
 *                   one burst per 10*N events, at least one, counted in --events
 * --step-ms N       time between consecutive backlog events (default 50)
 * --rate-limit N    429 beyond N requests per second (default 0 = off)
 * --clamp-limit     limit &gt; 10000 becomes 10000 instead of 1000
 * </pre>
 */
public final class SimulatorMain {

    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        int events = 10_000;
        List<String> services = List.of("directory", "sso", "radius", "mdm", "systems", "ldap");
        long latencyMs = 0;
        String key = JumpCloudSimulator.DEFAULT_API_KEY;
        int burst = 0;
        long stepMs = 50;
        int rateLimit = 0;
        boolean clamp = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--services" -> services = Arrays.stream(args[++i].split(",")).map(String::strip)
                        .filter(s -> !s.isEmpty()).toList();
                case "--latency-ms" -> latencyMs = Long.parseLong(args[++i]);
                case "--key" -> key = args[++i];
                case "--burst" -> burst = Integer.parseInt(args[++i]);
                case "--step-ms" -> stepMs = Long.parseLong(args[++i]);
                case "--rate-limit" -> rateLimit = Integer.parseInt(args[++i]);
                case "--clamp-limit" -> clamp = true;
                default -> {
                    System.err.println("unknown argument " + a);
                    System.exit(2);
                }
            }
        }

        long t0 = System.nanoTime();
        List<String> backlog = backlog(new EventFactory(), services, events, burst, Duration.ofMillis(stepMs),
                Instant.now().minus(Duration.ofMinutes(1)));
        JumpCloudSimulator sim = new JumpCloudSimulator(port)
                .validKeys(key)
                .latency(Duration.ofMillis(latencyMs))
                .rateLimit(rateLimit)
                .clampLimitToMax(clamp)
                .addEvents(backlog);
        Runtime.getRuntime().addShutdownHook(new Thread(sim::close, "jumpcloud-sim-shutdown"));
        System.err.printf("simulator: %d events (%s, bursts of %d) loaded in %d ms%n", sim.eventCount(),
                String.join(",", services), burst, (System.nanoTime() - t0) / 1_000_000);
        System.out.println("READY " + sim.baseUrl());
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }

    /**
     * {@code n} events ending at {@code end}, {@code step} apart, services round-robin; when
     * {@code burst > 0}, one burst of {@code burst} events on one timestamp per {@code 10*burst} events.
     */
    static List<String> backlog(EventFactory f, List<String> services, int n, int burst, Duration step, Instant end) {
        int bursts = burst <= 0 ? 0 : Math.min(n / burst, Math.max(1, n / (10 * burst)));
        int plain = n - bursts * burst;
        Instant start = end.minus(step.multipliedBy(Math.max(0, plain - 1)));
        List<String> out = new ArrayList<>(n);
        out.addAll(IntStream.range(0, plain).parallel()
                .mapToObj(i -> f.event(services.get(i % services.size()), start.plus(step.multipliedBy(i))))
                .toList());
        for (int b = 0; b < bursts; b++) {
            long at = (long) (b + 1) * Math.max(1, plain) / (bursts + 1);
            out.addAll(f.burst(services.get(b % services.size()), start.plus(step.multipliedBy(at)), burst));
        }
        return out;
    }
}
