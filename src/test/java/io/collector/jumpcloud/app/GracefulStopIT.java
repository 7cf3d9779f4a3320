package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker stop in the middle of a slow backfill: exit 0 within Docker's 10 s, and the restart loses nothing. */
class GracefulStopIT {
    @TempDir
    Path dir;

    CollectorProcess collector(JumpCloudSimulator sim, TlsLineReceiver devo, TestPki pki, Instant from, int run) throws Exception {
        return new CollectorProcess(dir.resolve("run" + run))
                .env("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY)
                .env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                .env("JUMPCLOUD_PAGE_SIZE", "1000")
                .env("JUMPCLOUD_HISTORIC_DATE_UTC", CollectorRun.historic(from.minusSeconds(1)))
                .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())
                .env("DEVO_HOSTNAME", "test-collector")
                .env("DEVO_HOST", "localhost").env("DEVO_PORT", Integer.toString(devo.port()))
                .env("DEVO_TLS_CERT_FILE", pki.clientCert().toString())
                .env("DEVO_TLS_KEY_FILE", pki.clientKey().toString())
                .env("DEVO_TLS_CA_FILE", pki.ca().toString())
                .start();
    }

    @Test
    void sigtermMidBackfillStopsWithin10SecondsAndTheRestartLosesNothing() throws Exception {
        TestPki pki = TestPki.shared();
        Instant from = Instant.now().minus(2, ChronoUnit.HOURS);
        try (JumpCloudSimulator sim = new JumpCloudSimulator().latency(Duration.ofMillis(400));
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            sim.addEvents(new EventFactory().series(List.of("directory", "sso"), from, Duration.ofMillis(50), 20_000));
            double stopSeconds;
            try (CollectorProcess c = collector(sim, devo, pki, from, 0)) {
                CollectorRun.await(() -> devo.lineCount() >= 3000, Duration.ofSeconds(60), "the backfill under way");
                long t0 = System.nanoTime();
                assertEquals(0, c.terminate(15), c.stderr());
                stopSeconds = (System.nanoTime() - t0) / 1e9;
                assertTrue(stopSeconds < 10, "stopped in " + stopSeconds + " s");
                assertTrue(devo.lineCount() < 20_000, "it was stopped mid-backfill");
            }
            try (CollectorProcess c = collector(sim, devo, pki, from, 1)) {
                CollectorRun.await(() -> c.stderr().contains("The data is up to date!"), Duration.ofSeconds(120), "the rest");
                assertEquals(0, c.terminate(15));
            }
            CollectorRun.awaitEvery(Duration.ofSeconds(1), new java.util.function.BooleanSupplier() {
                int last = -1;

                @Override
                public boolean getAsBoolean() {
                    int now = devo.lineCount();
                    boolean settled = now == last;
                    last = now;
                    return settled;
                }
            }, Duration.ofSeconds(30), "the relay to read everything");
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            System.out.printf("SIGTERM mid-backfill: exit 0 in %.2f s; restart: %d events, 0 missing, 0 duplicates%n", stopSeconds, sim.eventCount());
        }
    }
}
