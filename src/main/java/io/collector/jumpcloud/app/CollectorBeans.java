package io.collector.jumpcloud.app;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.dedup.EventIdRepository;
import io.collector.jumpcloud.devo.DevoLineFormat;
import io.collector.jumpcloud.devo.DevoLines;
import io.collector.jumpcloud.devo.DevoPage;
import io.collector.jumpcloud.devo.DevoTables;
import io.collector.jumpcloud.observe.CollectorHealth;
import io.collector.jumpcloud.observe.CollectorMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.collector.jumpcloud.source.CredentialsCheck;
import io.collector.jumpcloud.devo.ToDevoLine;
import io.collector.jumpcloud.source.JumpCloudSource;
import io.collector.jumpcloud.source.RequestBudget;
import io.collector.jumpcloud.state.StateStore;
import io.collector.jumpcloud.tls.DevoTlsMaterial;
import io.collector.jumpcloud.tls.HostVerifyingClientInitializerFactory;
import io.collector.jumpcloud.tls.RelayProbe;
import java.io.IOException;
import java.time.Clock;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the settings and binds the beans the YAML routes refer to ({@code jumpcloudSource}, {@code eventIds},
 * {@code eventHeaders}, {@code devoLines}, {@code devoTables}, {@code devoTls}) into a CamelContext. Used by the
 * standalone camel-main run and by an application that embeds the routes in its own context.
 */
public final class CollectorBeans {
    private static final Logger LOG = LoggerFactory.getLogger(CollectorBeans.class);
    /** The sink the routes send to; a dry run points it at standard output. */
    public static final String DEVO_ENDPOINT = "devo.endpoint";
    public static final String DRY_RUN_ENDPOINT = "stream:out?appendNewLine=false"; // a page's lines end with LF
    static final String METRICS_REGISTRY = "metricsRegistry";

    private CollectorBeans() {
    }

    public static CollectorSettings settings(CamelContext context, Clock clock) {
        PropertiesComponent pc = context.getPropertiesComponent();
        io.collector.jumpcloud.config.UnknownSettings.check(givenProperties(pc), System.getenv());
        return CollectorSettings.from(name -> SettingsLookup.resolve(pc, name), settingNames(pc), clock);
    }

    /** Each property name given (files, the application's own, -D) and where it came from, for the typo check. */
    static java.util.Map<String, String> givenProperties(PropertiesComponent pc) {
        java.util.Map<String, String> given = new java.util.TreeMap<>();
        pc.loadProperties().stringPropertyNames().forEach(n -> given.put(n, "in the properties (application.properties or the application's own)"));
        if (pc instanceof org.apache.camel.component.properties.PropertiesComponent impl) {
            impl.getInitialProperties().stringPropertyNames().forEach(n -> given.put(n, "in the application's properties"));
            impl.getOverrideProperties().stringPropertyNames().forEach(n -> given.put(n, "in the application's properties"));
        }
        System.getProperties().stringPropertyNames().forEach(n -> given.put(n, "given as -D" + n));
        return given;
    }

    /**
     * The names of the settings given, wherever: the properties files and the application's own
     * properties, -D system properties, and environment variables in upper snake case
     * ({@code DEVO_TABLE_DEVICE_TRUST} is devo.table.device_trust).
     */
    static java.util.Set<String> settingNames(PropertiesComponent pc) {
        java.util.Set<String> names = new java.util.TreeSet<>(pc.loadProperties().stringPropertyNames());
        if (pc instanceof org.apache.camel.component.properties.PropertiesComponent impl) {
            names.addAll(impl.getInitialProperties().stringPropertyNames());
            names.addAll(impl.getOverrideProperties().stringPropertyNames());
        }
        names.addAll(System.getProperties().stringPropertyNames());
        System.getenv().keySet().forEach(k -> {
            if (k.startsWith("DEVO_TABLE_")) {
                names.add(CollectorSettings.TABLE_PREFIX + k.substring("DEVO_TABLE_".length()).toLowerCase(java.util.Locale.ROOT));
            }
        });
        return names;
    }

    /**
     * The Micrometer registry camel-micrometer-prometheus serves at /observe/metrics: the one bound
     * as {@code metricsRegistry}, or a new Prometheus registry bound under that name, which the
     * camel-main metrics service then picks up.
     */
    static MeterRegistry meterRegistry(CamelContext context) {
        MeterRegistry existing = context.getRegistry().lookupByNameAndType(METRICS_REGISTRY, MeterRegistry.class);
        if (existing != null) {
            return existing;
        }
        PrometheusMeterRegistry created = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        context.getRegistry().bind(METRICS_REGISTRY, created);
        return created;
    }

    private static void awaitProbe(java.util.concurrent.CompletableFuture<Boolean> probe) {
        try {
            probe.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // the TlsSetupException naming the setting
            }
            throw e;
        }
    }

    /**
     * The first part of the start: the settings checked, the TLS files read and the relay probe
     * started (its wait for a refusal runs while the rest of the start goes on).
     */
    public record Begun(CollectorSettings settings, DevoTlsMaterial tls, javax.net.ssl.SSLContext ssl, RelayProbe.Probe probe) {
    }

    public static Begun begin(CamelContext context, Clock clock) {
        CollectorSettings settings = settings(context, clock);
        if (settings.dryRun()) {
            return new Begun(settings, null, null, null);
        }
        DevoTlsMaterial tls = DevoTlsMaterial.load(settings.certFile(), settings.keyFile(), settings.keyPassword(), settings.caFile(), clock.instant());
        javax.net.ssl.SSLContext ssl = tls.sslContext();
        return new Begun(settings, tls, ssl, RelayProbe.start(ssl, settings.devoHost(), settings.devoPort(), settings.hostnameVerification()));
    }

    /**
     * The I/O threads of every route's connection to the relay: without it each route's netty producer
     * makes its own group (a selector and a queue per core, each), which 600 routes of an MSP turn
     * into thousands of selectors and an exhausted heap. Shut down with the context.
     */
    static io.netty.channel.EventLoopGroup devoWorkers(CamelContext context) {
        io.netty.channel.EventLoopGroup group = new org.apache.camel.component.netty.NettyWorkerPoolBuilder()
                .withWorkerCount(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())))
                .withName("DevoTlsWorker").build();
        try {
            context.addService(new org.apache.camel.support.service.ServiceSupport() {
                @Override
                protected void doStop() {
                    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
                }
            }, true, true);
        } catch (Exception e) {
            group.shutdownGracefully();
            throw new IllegalStateException("cannot register the Devo I/O threads with Camel", e);
        }
        return group;
    }

    /**
     * Checks the settings, state directory and TLS files, then binds every bean; the context starts
     * only once the relay probe's verdict on the certificate came (an application embedding the
     * routes sees a refused certificate as a failed start).
     */
    public static CollectorSettings bind(CamelContext context, Clock clock) {
        return bind(context, clock, begin(context, clock), null);
    }

    /**
     * The rest of the start after {@link #begin}: the state, the credentials check and every bean.
     * With {@code lateRefusal}, the context waits only for the probe's handshake; a refusal of the
     * certificate found after it (TLS 1.3) goes to {@code lateRefusal} (the standalone collector stops),
     * while every connection's writes wait for the verdict, so nothing is sent meanwhile.
     */
    public static CollectorSettings bind(CamelContext context, Clock clock, Begun begun,
                                         java.util.function.Consumer<RuntimeException> lateRefusal) {
        CollectorSettings settings = begun.settings();
        StateStore store = new StateStore(settings.stateDir());
        try {
            store.checkWritable();
        } catch (IOException e) {
            throw new io.collector.jumpcloud.config.SettingsException(CollectorSettings.STATE_DIR,
                    "cannot write to " + settings.stateDir().toAbsolutePath() + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        // one collector per state folder, unless replicas share it (collector.cluster); let go with the context, or
        // at once when the rest of the start fails (a setting fixed in Karaf starts again in this JVM)
        io.collector.jumpcloud.state.StateFolderLock folderLock = settings.cluster().isPresent() ? null
                : io.collector.jumpcloud.state.StateFolderLock.take(settings.stateDir());
        try {
            return bindLocked(context, clock, begun, lateRefusal, settings, store, folderLock);
        } catch (RuntimeException e) {
            if (folderLock != null) {
                folderLock.close();
            }
            throw e;
        }
    }

    private static CollectorSettings bindLocked(CamelContext context, Clock clock, Begun begun,
                                                java.util.function.Consumer<RuntimeException> lateRefusal, CollectorSettings settings,
                                                StateStore store, io.collector.jumpcloud.state.StateFolderLock folderLock) {
        Registry registry = context.getRegistry();
        EventIdRepository ids = new EventIdRepository(settings.dedupCacheSize());
        DevoTables tables = new DevoTables(settings.tables(), settings.fallbackTable());
        RequestBudget budget = new RequestBudget(settings.maxRequestsPerSecond());
        CollectorMetrics metrics = new CollectorMetrics(meterRegistry(context), clock, !settings.dryRun());
        JumpCloudSource source = new JumpCloudSource(settings, store, ids, budget, metrics, clock);
        source.loadStates();
        // the relay probe waits for a refusal of the certificate (1 to 1.5 s) while the rest starts
        DevoTlsMaterial tls = begun.tls();
        RelayProbe.Probe probe = begun.probe();
        CredentialsCheck.run(settings, source.client(), clock.instant());

        // the routes' jumpcloud:events endpoints read JumpCloud through this source
        registry.bind("jumpcloudSource", source);
        try {
            context.addService(new org.apache.camel.support.service.ServiceSupport() {
                @Override
                protected void doStop() {
                    source.close(); // its HTTP connections and page threads, with the context
                    if (folderLock != null) {
                        folderLock.close(); // the routes are stopped: another collector may take the folder
                    }
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the JumpCloud source with the context", e);
        }
        if (context.hasComponent("jumpcloud") == null) {
            context.addComponent("jumpcloud", new io.collector.jumpcloud.component.JumpCloudComponent());
        }
        registry.bind("collectorMetrics", metrics);
        // readiness: routes completing pulls, Devo writes succeeding (served at /observe/health)
        CollectorHealth health = new CollectorHealth(metrics, settings.pollIntervalMs(), clock);
        health.setCamelContext(context);
        org.apache.camel.health.HealthCheckRegistry checks = org.apache.camel.health.HealthCheckRegistry.get(context);
        if (checks != null) {
            checks.register(health);
        }
        if (settings.cluster().isPresent()) {
            Replicas.setUp(context, settings, source, metrics.registry(), health); // one of several replicas
        }
        registry.bind("eventIds", ids);
        registry.bind("eventHeaders", new io.collector.jumpcloud.source.EventHeaders());
        registry.bind("devoTables", tables);
        registry.bind("devoLine", new ToDevoLine(new DevoLineFormat(settings.hostname(), clock), tables, settings.maxLineBytes()));
        registry.bind("devoLines", new DevoLines());
        // an event as JumpCloud sent it, for any endpoint a route sends it to (a file, a queue)
        context.getTypeConverterRegistry().addTypeConverter(String.class, io.collector.jumpcloud.source.DiEvent.class,
                new org.apache.camel.support.TypeConverterSupport() {
                    @Override
                    public <T> T convertTo(Class<T> type, org.apache.camel.Exchange exchange, Object value) {
                        return type.cast(((io.collector.jumpcloud.source.DiEvent) value).getJson());
                    }
                });
        context.getTypeConverterRegistry().addTypeConverter(byte[].class, io.collector.jumpcloud.source.DiEvent.class,
                new org.apache.camel.support.TypeConverterSupport() {
                    @Override
                    public <T> T convertTo(Class<T> type, org.apache.camel.Exchange exchange, Object value) {
                        return type.cast(((io.collector.jumpcloud.source.DiEvent) value).getJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    }
                });
        context.getTypeConverterRegistry().addTypeConverter(java.io.InputStream.class, io.collector.jumpcloud.source.DiEvent.class,
                new org.apache.camel.support.TypeConverterSupport() {
                    @Override
                    public <T> T convertTo(Class<T> type, org.apache.camel.Exchange exchange, Object value) {
                        return type.cast(new java.io.ByteArrayInputStream(((io.collector.jumpcloud.source.DiEvent) value).getJson()
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    }
                });
        // a page's lines as bytes, for any endpoint other than the relay's (the dry run's stream:out, a user's)
        context.getTypeConverterRegistry().addTypeConverter(byte[].class, DevoPage.class, new org.apache.camel.support.TypeConverterSupport() {
            @Override
            public <T> T convertTo(Class<T> type, org.apache.camel.Exchange exchange, Object value) {
                return type.cast(((DevoPage) value).toByteArray());
            }
        });

        // The routes read these placeholders; publish the checked values, defaults included.
        Properties overrides = new Properties();
        overrides.setProperty(CollectorSettings.POLL_INTERVAL, Long.toString(settings.pollIntervalMs()));
        settings.tables().forEach((service, table) -> overrides.setProperty(CollectorSettings.TABLE_PREFIX + service, table));
        overrides.setProperty(CollectorSettings.FALLBACK_TABLE, settings.fallbackTable());
        if (settings.dryRun() && JumpCloudDevoRoutes.ownDevoEndpoint(context.getPropertiesComponent())) {
            LOG.info("devo.host is not set: the Devo lines go to the application's own devo.endpoint");
        } else if (settings.dryRun()) {
            overrides.setProperty(DEVO_ENDPOINT, DRY_RUN_ENDPOINT);
            LOG.warn("devo.host is not set: DRY RUN, the Devo lines are printed to standard output and nothing is sent");
        } else {
            registry.bind("devoTls", new HostVerifyingClientInitializerFactory(begun.ssl(), settings.hostnameVerification(),
                    probe, settings.writeTimeoutMs()));
            registry.bind("devoWorkers", devoWorkers(context));
            // called once the routes are built, before their consumers (the timers) start: a refusal in
            // the handshake (or one already found) fails the start; one found later goes to lateRefusal
            try {
                context.addStartupListener((ctx, alreadyStarted) -> {
                    if (lateRefusal == null) {
                        awaitProbe(probe.verdict());
                        return;
                    }
                    awaitProbe(probe.handshake());
                    if (probe.verdict().isDone()) {
                        awaitProbe(probe.verdict());
                    } else {
                        probe.verdict().whenComplete((ok, e) -> {
                            if (e != null) {
                                lateRefusal.accept(e instanceof java.util.concurrent.CompletionException c
                                        && c.getCause() instanceof RuntimeException r ? r : e instanceof RuntimeException r ? r
                                        : new IllegalStateException(e));
                            }
                        });
                    }
                });
            } catch (RuntimeException e) {
                throw e; // a context started already runs it at once: the probe's refusal
            } catch (Exception e) {
                throw new IllegalStateException("cannot wait for the Devo relay probe at start", e);
            }
            LOG.info("Devo relay {}:{} over mutual TLS as '{}' (certificate valid until {}), hostname verification {}",
                    settings.devoHost(), settings.devoPort(), tls.clientCertificate().getSubjectX500Principal().getName(),
                    tls.clientCertificate().getNotAfter().toInstant(), settings.hostnameVerification() ? "on" : "OFF");
        }
        overrides.forEach((k, v) -> context.getPropertiesComponent().addOverrideProperty((String) k, (String) v));
        LOG.info("Settings: {}", settings);
        return settings;
    }
}
