package io.collector.jumpcloud.app;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.source.CredentialsCheck;
import io.collector.jumpcloud.source.JumpCloudClient;
import io.collector.jumpcloud.source.JumpCloudClock;
import io.collector.jumpcloud.source.RequestBudget;
import io.collector.jumpcloud.tls.DevoTlsMaterial;
import io.collector.jumpcloud.tls.RelayProbe;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * {@code java -jar jumpcloud-devo-collector.jar --check}: the same settings as a run (application.properties,
 * -D, environment), then each step a run depends on, reported as OK or with its coded error:
 * configuration, state folder, one real JumpCloud query per organization, the TLS connection to
 * Devo with the client certificate. Nothing is sent to Devo and no state is written. Exit 0 when
 * every step is OK, 1 otherwise.
 */
public final class CheckCommand {
    private final PrintStream out;
    private boolean failed;

    CheckCommand(PrintStream out) {
        this.out = out;
    }

    static int run(PrintStream out) {
        return new CheckCommand(out).check();
    }

    int check() {
        Clock clock = Clock.systemUTC();
        CollectorSettings settings;
        DefaultCamelContext context = new DefaultCamelContext(); // only its properties: never started
        try {
            context.getPropertiesComponent().setLocation(CollectorApplication.PROPERTIES);
            settings = CollectorBeans.settings(context, clock);
            ok("configuration", settings.toString());
        } catch (RuntimeException e) {
            fail("configuration", CollectorApplication.settingsProblem(e) != null ? "InitVariablesError: " + e.getMessage() : e.toString());
            return done();
        }
        Path dir = settings.stateDir();
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.toAbsolutePath().getParent();
        }
        if (existing != null && Files.isDirectory(existing) && Files.isWritable(existing)) {
            ok("state folder", dir.toAbsolutePath().normalize() + (Files.exists(dir) ? "" : " (created at the first run)"));
        } else {
            fail("state folder", "collector.state-dir " + dir.toAbsolutePath().normalize() + " cannot be written");
        }
        try (JumpCloudClient client = new JumpCloudClient(settings, new RequestBudget(settings.maxRequestsPerSecond()),
                new JumpCloudClock(clock))) {
            for (String org : CredentialsCheck.orgs(settings)) {
                CredentialsCheck.Outcome o = CredentialsCheck.probe(settings, client, org, clock.instant());
                String what = "JumpCloud " + settings.baseUrl() + (org == null ? "" : " organization " + org);
                if (o.ok()) {
                    ok(what, o.message());
                } else {
                    fail(what, o.message());
                }
            }
        }
        if (settings.dryRun()) {
            ok("Devo", "devo.host is not set: a run is a dry run to standard output (nothing to connect to)");
        } else {
            String what = "Devo " + settings.devoHost() + ":" + settings.devoPort();
            try {
                DevoTlsMaterial tls = DevoTlsMaterial.load(settings.certFile(), settings.keyFile(), settings.keyPassword(),
                        settings.caFile(), clock.instant());
                if (RelayProbe.run(tls.sslContext(), settings.devoHost(), settings.devoPort(), settings.hostnameVerification())) {
                    ok(what, "TLS connection with the client certificate " + tls.clientCertificate().getSubjectX500Principal().getName()
                            + " accepted");
                } else {
                    fail(what, "SenderError: cannot reach the relay (see the log line above)");
                }
            } catch (RuntimeException e) {
                fail(what, e.getMessage());
            }
        }
        return done();
    }

    private void ok(String step, String detail) {
        out.println("[OK]     " + step + ": " + detail);
    }

    private void fail(String step, String detail) {
        failed = true;
        out.println("[FAILED] " + step + ": " + detail);
    }

    private int done() {
        out.println(failed ? "Check FAILED: fix the steps above; nothing was sent and no state was written."
                : "Check OK: the collector can run with these settings. Nothing was sent and no state was written.");
        return failed ? 1 : 0;
    }
}
