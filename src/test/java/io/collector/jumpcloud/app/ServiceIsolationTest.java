package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One service's route failing at every pull never stops or delays the others. */
class ServiceIsolationTest {
    @TempDir
    Path dir;

    @Test
    void aServiceJumpCloudRejectsDoesNotHoldBackTheOthers() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        List<String> known = new ArrayList<>(JumpCloudSimulator.KNOWN_SERVICES);
        known.remove("ldap");                                 // this JumpCloud answers 400 for ldap
        try (JumpCloudSimulator sim = new JumpCloudSimulator().knownServices(known);
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(new EventFactory().series(List.of("directory", "sso", "radius"), from, Duration.ofMillis(30), 3000));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.services", "ldap,directory,sso,radius").set("jumpcloud.page-size", "400")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                CollectorRun.await(() -> devo.lineCount() >= 3000, Duration.ofSeconds(30), "the other services' events");
                Thread.sleep(800);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(log.contains("[ldap] PullError 303: unexpected HTTP status 400"), String.join("\n", log.lines()));
        }
    }
}
