package io.collector.jumpcloud.app;

import io.collector.jumpcloud.config.SettingsException;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.main.Main;

/**
 * The standalone collector: camel-main with its own settings (standalone.properties in the jar), the
 * working directory's {@code application.properties} over them, and the YAML routes of {@code routes/}.
 */
public final class CollectorApplication implements CamelConfiguration {
    /** camel-main's settings of the standalone run, then ./application.properties (later locations win). */
    static final String PROPERTIES = "classpath:io/collector/jumpcloud/app/standalone.properties,file:application.properties;optional=true";

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** The collector as a camel-main {@link Main}, not yet started (tests add override properties). */
    public static Main newMain() {
        return newMain(Clock.systemUTC());
    }

    /** With the clock the collector reads its time from (tests: a machine clock ahead of JumpCloud's). */
    public static Main newMain(Clock clock) {
        Main main = new Main(); // no class: no classpath scanning, the beans are bound explicitly
        main.setDefaultPropertyPlaceholderLocation(PROPERTIES);
        CollectorApplication app = new CollectorApplication(main, clock);
        main.addMainListener(app.new EarlyStart());
        main.configure().addConfiguration(app);
        return main;
    }

    /** A refusal of the client certificate that this run found after its start (it then exits 2); null if none. */
    static RuntimeException lateRefusal(Main main) {
        for (Object c : main.configure().getConfigurations()) {
            if (c instanceof CollectorApplication app) {
                return app.lateRefusal.get();
            }
        }
        return null;
    }

    public static int run(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
            return HelpCommand.run(System.out);
        }
        if (java.util.Arrays.asList(args).contains("--check")) {
            return CheckCommand.run(System.out);
        }
        if (java.util.Arrays.asList(args).contains("--health")) {
            return HealthProbe.run(System.out);
        }
        io.collector.jumpcloud.source.JumpCloudTls.preload(); // the trust store is read while camel-main starts
        Main main = newMain();
        stopOnSignal(main);
        try {
            int rc = main.run(args);
            RuntimeException late = lateRefusal(main);
            if (late != null) {
                SettingsException refused = settingsProblem(late);
                if (refused != null) {
                    return badSettings(refused);
                }
                System.err.println("ERROR: the check of the Devo relay failed: " + late.getMessage() + " (nothing was sent)");
                return 2;
            }
            return rc;
        } catch (Exception e) {
            SettingsException bad = settingsProblem(e);
            if (bad == null) {
                bad = RouteFileException.problemIn(e); // camel-main's own YAML errors (syntax: before configure)
            }
            if (bad != null) {
                // camel-main's hook would otherwise log "JVM shutdown hook triggered by SIGTERM" at exit
                main.completed();
                return badSettings(bad);
            }
            throw e;
        }
    }

    private final Main main;
    private final java.util.concurrent.atomic.AtomicReference<RuntimeException> lateRefusal = new java.util.concurrent.atomic.AtomicReference<>();

    private final Clock clock;

    private CollectorApplication(Main main, Clock clock) {
        this.main = main;
        this.clock = clock;
    }

    /**
     * The first part of the start, as soon as camel-main has read the properties and before its own
     * auto-configuration (metrics, about 0.25 s): a busy health port stops the start, the settings are
     * checked and the relay probe starts, so that its wait for a refusal of the certificate (at least
     * 1 s, which the first line waits for) runs while camel-main and the routes start.
     */
    private final class EarlyStart extends org.apache.camel.main.MainListenerSupport {
        @Override
        public void beforeConfigure(org.apache.camel.main.BaseMainSupport m) {
            CamelContext context = m.getCamelContext();
            JumpCloudDevoRoutes.useDefaults(context);
            // a busy health port stops the start in one line (exit code 2), before anything else runs
            management = ManagementServer.of(context);
            ManagementServer.checkFree(management);
            // the settings and TLS files first: the relay probe then waits for a refusal while the rest starts
            begun = CollectorBeans.begin(context, clock);
        }
    }

    private ManagementServer.Address management;
    private CollectorBeans.Begun begun;

    /** Runs before camel-main loads the routes: the services' routes join the YAML files there. */
    @Override
    public void configure(CamelContext context) {
        try {
            context.addStartupListener(new org.apache.camel.ExtendedStartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) {
                    ManagementServer.logBound(ctx, management);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // a broken hand-edited route file stops the start with its file and line (exit code 2), before
        // any request to JumpCloud
        RouteFilesCheck.check(main.configure().getRoutesIncludePattern(), ServiceRoutes.TEMPLATE);
        // a certificate the relay refuses after the handshake (TLS 1.3) stops the collector: exit code 2
        var settings = CollectorBeans.bind(context, clock, begun, refused -> {
            if (lateRefusal.compareAndSet(null, refused)) {
                org.slf4j.LoggerFactory.getLogger(CollectorApplication.class).error("{}: the collector stops (nothing was sent)", refused.getMessage());
                Thread stop = new Thread(() -> {
                    try {
                        // heard from the startup listener on, so Camel is starting: stop once it has started
                        // (a failed start reads as stopped)
                        for (int i = 0; i < 600 && !context.isStarted() && !context.isStopping() && !context.isStopped(); i++) {
                            Thread.sleep(50);
                        }
                        context.stop();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        // stopping anyway
                    }
                }, "stop-on-refused-certificate");
                stop.setDaemon(true);
                stop.start();
            }
        });
        main.configure().addRoutesBuilder(new ServiceRoutes(settings.services(), settings.orgGroups(), settings.cluster().isPresent()));
    }

    /**
     * SIGTERM (docker stop) and SIGINT end the main loop, so Camel stops its routes, the pull in
     * flight ends at a page boundary, and the process exits 0; the JVM's default would exit 143.
     */
    private static void stopOnSignal(Main main) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> main.completed());
            } catch (IllegalArgumentException unsupported) {
                // not on this platform: the JVM's shutdown hook still stops Camel
            }
        }
    }

    static SettingsException settingsProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SettingsException s) {
                return s;
            }
        }
        return null;
    }

    private static int badSettings(SettingsException e) {
        System.err.println("ERROR: configuration: " + e.getMessage() + " (nothing was sent)");
        return 2;
    }
}
