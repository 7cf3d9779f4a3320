package io.collector.jumpcloud.app;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.config.SettingsSchema;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * The collector's routes for an existing Camel 4 application (docs/embedding.md):
 * {@code context.addRoutes(new JumpCloudDevoRoutes())}. The settings are the
 * context's properties ({@code jumpcloud.api-key}, {@code devo.host}, ...), checked as the
 * standalone collector checks them; the route template is the YAML file inside this jar.
 */
public class JumpCloudDevoRoutes implements RoutesBuilder {
    /** The route template, inside the jar (the standalone collector reads its copy in routes/). */
    public static final String ROUTES = "routes/jumpcloud-to-devo.yaml";

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
        ServiceRoutes services = new ServiceRoutes(settings.services(), settings.orgGroups(), settings.cluster().isPresent());
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
     * The library's defaults that the routes read as placeholders and the settings do not publish
     * ({@code devo.endpoint}: the relay over TLS), from the settings schema, for the keys the
     * application left unset. Never a camel.* key: those stay the application's business.
     */
    static void useDefaults(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        String key = CollectorBeans.DEVO_ENDPOINT;
        if (!isSet(pc, key)) {
            pc.addOverrideProperty(key, SettingsSchema.defaultValue(key));
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

    /** Whether devo.endpoint is the application's own (not the library's default, the relay over TLS). */
    static boolean ownDevoEndpoint(PropertiesComponent pc) {
        String key = CollectorBeans.DEVO_ENDPOINT;
        String value = null;
        if (pc instanceof org.apache.camel.component.properties.PropertiesComponent impl) {
            value = impl.getOverrideProperties().getProperty(key, impl.getInitialProperties().getProperty(key));
        }
        if (value == null) {
            value = pc.loadProperties(key::equals).getProperty(key);
        }
        return value != null && !value.trim().equals(SettingsSchema.defaultValue(key));
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
