package io.collector.jumpcloud.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.app.DevoLinesOnTheWire;
import io.collector.jumpcloud.osgi.CollectorActivator;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.state.ServiceState;
import io.collector.jumpcloud.state.StateStore;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * docs/karaf.md, run for real: Apache Karaf (the distribution in the local Maven repository, unpacked
 * into target/karaf/run) installs the feature jumpcloud-devo-collector at boot from this build's
 * features repositories (the collector's and the generated Camel one), offline; the bundle's
 * activator starts the routes with the settings of etc/io.collector.jumpcloud.cfg. Against the
 * simulator and a mutual-TLS relay in this JVM: every event reaches Devo once, the state files are
 * in collector.state-dir, an edited .cfg (another table for sso) restarts the routes with it, and
 * bin/stop stops the routes with the checkpoint of the last event saved.
 */
class KarafIT {
    static final String HOST = "karaf-it";
    static final String SSO_TABLE = "my.jumpcloud.sso.events";
    static final String STARTED = "JumpCloud to Devo collector started";
    static final String STOPPED = "JumpCloud to Devo collector stopped";

    static Path file(String property) {
        Path p = Path.of(System.getProperty(property, "missing-" + property));
        assertTrue(Files.isRegularFile(p), p + " (system property " + property + "): run mvn verify");
        return p;
    }

    static String manifestValue(Path jar, String name) throws Exception {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getManifest().getMainAttributes().getValue(name);
        }
    }

    static String projectVersion(Path bundle) throws Exception {
        try (JarFile j = new JarFile(bundle.toFile())) {
            java.util.Properties p = new java.util.Properties();
            p.load(j.getInputStream(j.getEntry("META-INF/maven/io.collector/jumpcloud-devo-collector/pom.properties")));
            return p.getProperty("version");
        }
    }

    @Test
    void theFeatureRunsTheCollectorInKaraf() throws Exception {
        long t0 = System.nanoTime();
        Path bundle = file("bundle.jar");
        String version = projectVersion(bundle);
        Path distribution = file("karaf.distribution");
        Path work = distribution.getParent().resolve("run");
        Path stateDir = work.resolve("state");
        Path m2 = Path.of(System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository"));

        try (KarafRuntime karaf = KarafRuntime.unpack(distribution, work)) {
            String repository = "mvn:io.collector/jumpcloud-devo-collector/" + version + "/xml/features";
            karaf.offline(m2)
                    .deploy(bundle, "io.collector", "jumpcloud-devo-collector", version, "jar", null)
                    .deploy(file("features.xml"), "io.collector", "jumpcloud-devo-collector", version, "xml", "features")
                    .deploy(file("camel-features.xml"), "io.collector", "jumpcloud-devo-collector", version, "xml", "camel-features")
                    .bootFeatures(repository, "jumpcloud-devo-collector")
                    .start();
            long started = System.nanoTime();

            // while Karaf boots: JumpCloud, the relay and the collector's settings
            TestPki pki = TestPki.shared();
            Instant from = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
            EventFactory f = new EventFactory();
            try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
                sim.addEvents(f.series(List.of("directory", "sso", "systems", "radius", "ldap", "mdm", "software"), from,
                        Duration.ofMillis(9), 1400));
                sim.addEvents(f.burst("radius", from.plusSeconds(5), 400)); // one timestamp across pages
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("jumpcloud.api-key", JumpCloudSimulator.DEFAULT_API_KEY);
                settings.put("jumpcloud.base-url", sim.baseUrl());
                settings.put("jumpcloud.services", "all");
                settings.put("jumpcloud.page-size", "500");
                settings.put("jumpcloud.poll-interval", "500");
                settings.put("jumpcloud.historic-date-utc",
                        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(from.minusSeconds(10).atOffset(ZoneOffset.UTC)));
                settings.put("collector.state-dir", stateDir.toString());
                settings.put("devo.host", "localhost");
                settings.put("devo.port", Integer.toString(devo.port()));
                settings.put("devo.tls.cert-file", pki.clientCert().toString());
                settings.put("devo.tls.key-file", pki.clientKey().toString());
                settings.put("devo.tls.ca-file", pki.ca().toString());
                settings.put("devo.hostname", HOST);
                // a route of the user's from the Kamelet inside the bundle, in the collector's context
                Path kameletRoute = work.resolve("kamelet-route.yaml");
                Files.writeString(kameletRoute, """
                        - route:
                            id: kamelet-in-karaf
                            from:
                              uri: "kamelet:jumpcloud-insights-source"
                              parameters:
                                apiKey: "{{jumpcloud.api-key}}"
                                baseUrl: "{{jumpcloud.base-url}}"
                                service: directory
                                pageSize: 300
                                period: 500
                                startTime: "%s"
                                stateDir: "%s"
                              steps:
                                - log: "Kamelet event ${header.JumpCloudEventId}"
                        """.formatted(from.minusSeconds(10), work.resolve("kamelet-state")));
                settings.put(CollectorActivator.ROUTES, "file:" + kameletRoute);
                karaf.config(CollectorActivator.PID, settings);

                // 1. the feature resolves offline, this build's bundle starts, every event reaches Devo once
                karaf.await(() -> karaf.count(STARTED) == 1, Duration.ofSeconds(120), "the feature installed and the routes started");
                long installed = System.nanoTime();
                String bundleVersion = manifestValue(bundle, "Bundle-Version");
                assertTrue(karaf.logText().contains("io.collector.jumpcloud-devo-collector/" + bundleVersion),
                        "Karaf runs this build's bundle " + bundleVersion + karaf.logTail(40));
                karaf.await(() -> devo.lineCount() >= sim.eventCount(), Duration.ofSeconds(60),
                        sim.eventCount() + " lines (have " + devo.lineCount() + ")");
                long upToDate = karaf.count("The data is up to date!");
                karaf.await(() -> karaf.count("The data is up to date!") > upToDate, Duration.ofSeconds(30), "one more complete pull");
                List<SimEvent> first = sim.events();
                DevoLinesOnTheWire.assertExactlyOnce(first, devo.lines(), HOST);
                long directory = first.stream().filter(e -> e.service().equals("directory")).count();
                karaf.await(() -> kameletEvents(karaf).size() >= directory, Duration.ofSeconds(30),
                        "the Kamelet route's " + directory + " directory events (have " + kameletEvents(karaf).size() + ")");
                Instant newest = first.stream().map(SimEvent::timestamp).max(Instant::compareTo).orElseThrow();
                assertEquals(newest, checkpoint(stateDir), "the state file in collector.state-dir");

                // 2. an edited etc/io.collector.jumpcloud.cfg restarts the routes with it: sso events go to another table
                settings.put("devo.table.sso", SSO_TABLE);
                karaf.config(CollectorActivator.PID, settings);
                karaf.await(() -> karaf.count(STARTED) == 2, Duration.ofSeconds(30), "the routes restarted with the edited settings");
                assertEquals(1, karaf.count(STOPPED), "the first routes stopped before the new ones started" + karaf.logTail(40));
                int before = devo.lineCount();
                List<String> more = f.series(List.of("sso", "directory", "mdm"), from.plus(1, ChronoUnit.HOURS), Duration.ofMillis(7), 300);
                sim.addEvents(more);
                karaf.await(() -> devo.lineCount() >= before + more.size(), Duration.ofSeconds(30),
                        more.size() + " more lines (have " + (devo.lineCount() - before) + ")");
                long upToDateAgain = karaf.count("The data is up to date!");
                karaf.await(() -> karaf.count("The data is up to date!") > upToDateAgain, Duration.ofSeconds(30), "one more complete pull");
                List<String> lines = devo.lines();
                DevoLinesOnTheWire.assertExactlyOnce(first, lines.subList(0, before), HOST);
                Set<String> firstIds = new HashSet<>();
                first.forEach(e -> firstIds.add(e.id()));
                Set<String> moreIds = new HashSet<>();
                sim.events().stream().filter(e -> !firstIds.contains(e.id())).forEach(e -> moreIds.add(e.id()));
                Map<String, String> serviceOf = new java.util.HashMap<>();
                sim.events().forEach(e -> serviceOf.put(e.id(), e.service()));
                assertEquals(more.size(), moreIds.size());
                List<String> wrong = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                for (String l : lines.subList(before, lines.size())) {
                    DevoLinesOnTheWire.Line line = DevoLinesOnTheWire.parse(l);
                    String service = serviceOf.get(line.id());
                    String table = service.equals("sso") ? SSO_TABLE : DevoLinesOnTheWire.TABLES.get(service);
                    if (!moreIds.contains(line.id()) || !seen.add(line.id()) || !line.table().equals(table)) {
                        wrong.add(line.id() + " " + service + " -> " + line.table());
                    }
                }
                assertEquals(List.of(), wrong, "after the edit: each new event once, sso in " + SSO_TABLE);
                assertEquals(moreIds, seen, "every new event");
                Instant newestNow = sim.events().stream().map(SimEvent::timestamp).max(Instant::compareTo).orElseThrow();

                // 3. bin/stop: the framework stops the bundle, which stops the routes; the checkpoint stays saved
                long stopping = System.nanoTime();
                assertTrue(karaf.stop(Duration.ofSeconds(60)), "Karaf stopped within 60 s" + karaf.logTail(40));
                long stopSeconds = (System.nanoTime() - stopping) / 1_000_000_000;
                String log = karaf.logText();
                assertEquals(2, karaf.count(STOPPED), "the bundle's stop stopped the routes" + karaf.logTail(40));
                assertTrue(log.contains("Routes stopped") && log.contains("(jumpcloud-devo-collector) shutdown in"), karaf.logTail(40));
                assertEquals(newestNow, checkpoint(stateDir), "the state file after the stop: the last event delivered");
                assertEquals(List.of(), log.lines().filter(l -> l.contains("| ERROR |")).toList(), "no error in karaf.log");
                assertFalse(log.contains(JumpCloudSimulator.DEFAULT_API_KEY), "the API key stays out of karaf.log");
                // the Kamelet's route, across the restart of step 2 and its stateDir: every directory event once
                List<String> kamelet = kameletEvents(karaf);
                Set<String> directoryIds = new HashSet<>();
                sim.events().stream().filter(e -> e.service().equals("directory")).forEach(e -> directoryIds.add(e.id()));
                assertEquals(directoryIds, new HashSet<>(kamelet), "every directory event through the Kamelet");
                assertEquals(directoryIds.size(), kamelet.size(), "each once");
                System.out.printf("KarafIT: Karaf up and feature installed in %d s, whole run %d s, stop %d s (%s)%n",
                        (installed - started) / 1_000_000_000, (System.nanoTime() - t0) / 1_000_000_000, stopSeconds, karaf.home());
            }
        }
    }

    /** The event ids the Kamelet route logged, in order. */
    static List<String> kameletEvents(KarafRuntime karaf) {
        List<String> ids = new ArrayList<>();
        for (String l : karaf.logText().split("\n")) {
            int i = l.indexOf("Kamelet event ");
            if (i >= 0) {
                ids.add(l.substring(i + "Kamelet event ".length()).trim());
            }
        }
        return ids;
    }

    /** The state file's last_polled_timestamp (the route "all"). */
    static Instant checkpoint(Path stateDir) {
        assertTrue(Files.isRegularFile(stateDir.resolve("all.json")), "state file " + stateDir.resolve("all.json"));
        ServiceState s = new StateStore(stateDir).load("all").orElseThrow().state();
        return s.lastPolledTimestamp();
    }
}
