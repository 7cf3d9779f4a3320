package io.collector.jumpcloud.app;

import io.collector.jumpcloud.config.CollectorSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * The collector's routes for an existing Camel 4 application (README "Embedding in a Camel
 * application"): {@code context.addRoutes(new JumpCloudDevoRoutes())}. The settings are the
 * context's properties ({@code jumpcloud.api-key}, {@code devo.host}, ...), checked as the
 * standalone collector checks them; the route template is the YAML file inside this jar.
 */
public class JumpCloudDevoRoutes implements RoutesBuilder {
    /** The route template, inside the jar (the standalone collector reads its copy in routes/). */
    public static final String ROUTES = "routes/jumpcloud-to-devo.yaml";
    private static final String DEFAULTS = "application.properties";

    private final Clock clock;
    private CollectorSettings settings;

    public JumpCloudDevoRoutes() {
        this(Clock.systemUTC());
    }

    public JumpCloudDevoRoutes(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void addRoutesToCamelContext(CamelContext context) throws Exception {
        useDefaults(context);
        settings = CollectorBeans.bind(context, clock);
        addRoutes(context, settings);
    }

    /** The jar's route template and the services' routes, once the beans are bound. */
    static void addRoutes(CamelContext context, CollectorSettings settings) throws Exception {
        PluginHelper.getRoutesLoader(context).loadRoutes(resource(context, ROUTES));
        ServiceRoutes services = new ServiceRoutes(settings.services(), settings.orgIds());
        context.addRoutes(services);
        // a plain context's addRoutes skips templated routes (camel-main adds them in a second pass)
        context.addTemplatedRoutes(services);
    }

    @Override
    public void addTemplatedRoutesToCamelContext(CamelContext context) {
        // the templated routes are added with the template, in addRoutesToCamelContext
    }

    @Override
    public java.util.Set<String> updateRoutesToCamelContext(CamelContext context) {
        throw new UnsupportedOperationException("the collector's routes are added once; restart the context to change its settings");
    }

    /** The checked settings, once the routes were added. */
    public CollectorSettings settings() {
        return settings;
    }

    /**
     * The jar's own defaults (such as {@code devo.endpoint}) for the keys the application left
     * unset. camel.* keys are camel-main's and stay the application's business.
     */
    static void useDefaults(CamelContext context) {
        Properties defaults = new Properties();
        try (InputStream in = own(DEFAULTS).openStream()) {
            defaults.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("the jar's " + DEFAULTS + " cannot be read", e);
        }
        PropertiesComponent pc = context.getPropertiesComponent();
        for (String key : defaults.stringPropertyNames()) {
            if (!key.startsWith("camel.") && !isSet(pc, key)) {
                pc.addOverrideProperty(key, defaults.getProperty(key));
            }
        }
    }

    /**
     * Whether the application gave a value, wherever it put it. Not resolveProperty alone: it is
     * empty for a value whose own placeholders do not resolve yet ({@code {{devo.host}}}).
     */
    private static boolean isSet(PropertiesComponent pc, String key) {
        if (pc.resolveProperty(key).isPresent() || pc.loadProperties(key::equals).containsKey(key)) {
            return true;
        }
        return pc instanceof org.apache.camel.component.properties.PropertiesComponent impl
                && (impl.getInitialProperties().containsKey(key) || impl.getOverrideProperties().containsKey(key));
    }

    private static Resource resource(CamelContext context, String path) throws IOException {
        try (InputStream in = own(path).openStream()) {
            return ResourceHelper.fromBytes("classpath:" + path, in.readAllBytes());
        }
    }

    /**
     * A file of this jar, found next to this class rather than through the class loader: an
     * application has its own application.properties first on the class path, and an OSGi
     * bundle's class loader sees its imports too.
     */
    static URL own(String path) throws IOException {
        URL self = JumpCloudDevoRoutes.class.getResource(JumpCloudDevoRoutes.class.getSimpleName() + ".class");
        if (self == null) {
            throw new IOException("cannot locate " + JumpCloudDevoRoutes.class.getName());
        }
        String up = "../".repeat(JumpCloudDevoRoutes.class.getPackageName().split("\\.").length);
        return new URL(self, up + path);
    }
}
