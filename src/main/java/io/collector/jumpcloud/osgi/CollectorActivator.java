package io.collector.jumpcloud.osgi;

import io.collector.jumpcloud.app.JumpCloudDevoRoutes;
import io.collector.jumpcloud.config.SettingsException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ManagedService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector in Karaf (docs/karaf.md): the bundle's activator runs {@link JumpCloudDevoRoutes} in a
 * CamelContext of its own, with the settings of Configuration Admin's {@value #PID} (in Karaf the file
 * {@code etc/io.collector.jumpcloud.cfg}) as the context's properties. No configuration, no routes; a
 * changed configuration stops the context and starts a new one with the new settings (the routes
 * resume from their state files); stopping the bundle stops the routes, the pull in flight at a page
 * boundary with its checkpoint saved. Starts and stops run one after the other on a thread of their
 * own, so Configuration Admin's thread never waits for Camel.
 */
public final class CollectorActivator implements BundleActivator, ManagedService {
    /** Configuration Admin's persistent id of the collector's settings. */
    public static final String PID = "io.collector.jumpcloud";
    public static final String CONTEXT_NAME = "jumpcloud-devo-collector";
    /** Seconds the routes get to end the page in flight when they stop (the standalone collector's camel.main.shutdown-timeout). */
    public static final String SHUTDOWN_TIMEOUT = "collector.shutdown-timeout";
    static final long DEFAULT_SHUTDOWN_TIMEOUT = 8;
    /**
     * Karaf only: more YAML route files (Camel resource URIs, comma-separated) loaded into the
     * collector's context, e.g. a route of your own from the jumpcloud-insights-source Kamelet.
     */
    public static final String ROUTES = "collector.karaf.routes";
    /** Configuration Admin's and Felix FileInstall's own keys: not settings. */
    private static final Set<String> NOT_SETTINGS = Set.of(Constants.SERVICE_PID, "service.factoryPid", "service.bundleLocation",
            "felix.fileinstall.filename");
    private static final Logger LOG = LoggerFactory.getLogger(CollectorActivator.class);

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jumpcloud-devo-collector-osgi");
        t.setDaemon(true);
        return t;
    });
    private BundleContext bundleContext;
    private ServiceRegistration<ManagedService> registration;
    // only the worker thread touches these
    private CamelContext camel;
    private volatile Map<String, String> running;

    @Override
    public void start(BundleContext context) {
        bundleContext = context;
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_PID, PID);
        registration = context.registerService(ManagedService.class, this, props);
    }

    /** Configuration Admin's call: at registration (null without a configuration) and after each change. */
    @Override
    public void updated(Dictionary<String, ?> properties) {
        Map<String, String> settings = properties == null ? null : settings(properties);
        try {
            worker.execute(() -> apply(settings));
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // an update that crossed the bundle's stop: nothing to start any more
        }
    }

    @Override
    public void stop(BundleContext context) throws Exception {
        registration.unregister(); // no update after this one
        Future<?> stopped = worker.submit(this::stopCamel);
        worker.shutdown();
        stopped.get(shutdownTimeout(running) + 30, TimeUnit.SECONDS);
    }

    static Map<String, String> settings(Dictionary<String, ?> properties) {
        Map<String, String> out = new TreeMap<>();
        for (String key : Collections.list(properties.keys())) {
            if (!NOT_SETTINGS.contains(key)) {
                out.put(key, String.valueOf(properties.get(key)).trim());
            }
        }
        return out;
    }

    private void apply(Map<String, String> settings) {
        if (settings != null && settings.equals(running) && camel != null) {
            return; // the same settings again (Felix FileInstall writes the file back)
        }
        stopCamel();
        if (settings == null) {
            LOG.info("No configuration {} (etc/{}.cfg): the JumpCloud to Devo collector waits for it", PID, PID);
            return;
        }
        running = settings;
        try {
            camel = startCamel(settings);
        } catch (Exception | LinkageError e) {
            SettingsException bad = settingsProblem(e);
            if (bad != null) { // a setting or a TLS file: its name and what is expected, as the standalone collector says it
                LOG.error("The JumpCloud to Devo collector did not start: configuration {}: {} (nothing was sent)", PID, bad.getMessage());
            } else {
                LOG.error("The JumpCloud to Devo collector did not start with configuration {}: {}", PID, e.getMessage(), e);
            }
        }
    }

    private CamelContext startCamel(Map<String, String> settings) throws Exception {
        CamelBundlesClassLoader loader = new CamelBundlesClassLoader(bundleContext.getBundle());
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(loader); // what Camel looks up while it builds the context
        DefaultCamelContext context = null;
        try {
            context = new DefaultCamelContext();
            context.getCamelContextExtension().setName(CONTEXT_NAME);
            context.getExecutorServiceManager().setThreadNamePattern("Camel (" + CONTEXT_NAME + ") thread ##counter# - #name#");
            context.setApplicationContextClassLoader(loader);
            PluginHelper.getPackageScanClassResolver(context).addClassLoader(loader);
            Properties initial = new Properties();
            initial.putAll(settings);
            context.getPropertiesComponent().setInitialProperties(initial);
            context.getShutdownStrategy().setTimeout(shutdownTimeout(settings));
            context.addRoutes(new JumpCloudDevoRoutes());
            String more = settings.getOrDefault(ROUTES, "");
            for (String uri : more.split(",")) {
                if (!uri.isBlank()) { // a route of the user's: the Kamelet and the components come from this bundle's class path
                    try {
                        PluginHelper.getRoutesLoader(context).loadRoutes(org.apache.camel.support.ResourceHelper.resolveMandatoryResource(
                                context, uri.trim()));
                    } catch (Exception e) {
                        throw new SettingsException(ROUTES, "cannot load the routes of '" + uri.trim() + "': " + e.getMessage(), e);
                    }
                }
            }
            context.start();
            LOG.info("JumpCloud to Devo collector started: routes {}, state in {} (Camel bundles: {})",
                    context.getRoutes().stream().map(Route::getRouteId).toList(), settings.get("collector.state-dir"),
                    loader.bundleNames().size());
            return context;
        } catch (Exception | LinkageError e) {
            if (context != null) {
                try {
                    context.stop();
                } catch (RuntimeException ignored) {
                    // the start's own failure is the one to report
                }
            }
            throw e;
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    private void stopCamel() {
        if (camel == null) {
            return;
        }
        CamelContext stopping = camel;
        camel = null;
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(stopping.getApplicationContextClassLoader());
        try {
            stopping.stop();
            LOG.info("JumpCloud to Devo collector stopped: routes stopped, state saved in {}", running.get("collector.state-dir"));
        } catch (RuntimeException e) {
            LOG.error("The JumpCloud to Devo collector did not stop cleanly: {}", e.getMessage(), e);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    private static SettingsException settingsProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SettingsException s) {
                return s;
            }
        }
        return null;
    }

    static long shutdownTimeout(Map<String, String> settings) {
        String s = settings == null ? null : settings.get(SHUTDOWN_TIMEOUT);
        try {
            return s == null || s.isEmpty() ? DEFAULT_SHUTDOWN_TIMEOUT : Long.parseLong(s);
        } catch (NumberFormatException e) {
            LOG.warn("{}={} is not a number of seconds: {} s", SHUTDOWN_TIMEOUT, s, DEFAULT_SHUTDOWN_TIMEOUT);
            return DEFAULT_SHUTDOWN_TIMEOUT;
        }
    }
}
