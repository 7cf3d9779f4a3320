package io.collector.jumpcloud.app;

import io.collector.jumpcloud.config.SettingsException;
import java.util.Optional;
import org.apache.camel.spi.PropertiesComponent;

/**
 * A setting's value as Camel's properties resolve it. Camel reads {@code {{...}}} in a value as a
 * placeholder and gives an empty value for one that does not resolve — a password holding "{{" or
 * "}}" included — so the setting would silently count as not given (a proxy skipped, a key password
 * missing). Such a value is refused instead, with the setting named.
 */
final class SettingsLookup {
    private SettingsLookup() {
    }

    static Optional<String> resolve(PropertiesComponent pc, String name) {
        Optional<String> v = pc.resolveProperty(name);
        // devo.endpoint is a Camel endpoint URI made of placeholders ({{devo.host}}...), resolved where it is used
        if (v.isEmpty() && !name.equals(CollectorBeans.DEVO_ENDPOINT)) {
            String raw = raw(pc, name);
            if (raw != null && (raw.contains("{{") || raw.contains("}}"))) {
                throw new SettingsException(name, "its value holds '{{' or '}}', which Camel reads as a property placeholder, and it "
                        + "did not resolve (Camel would read the setting as empty): a value that holds '{{' or '}}' itself cannot be given");
            }
        }
        return v;
    }

    /** The value as given, before Camel resolves it: the properties, -D, or the environment (upper snake case). */
    private static String raw(PropertiesComponent pc, String name) {
        String v = pc.loadProperties().getProperty(name);
        if (v == null && pc instanceof org.apache.camel.component.properties.PropertiesComponent impl) {
            v = impl.getOverrideProperties().getProperty(name, impl.getInitialProperties().getProperty(name));
        }
        if (v == null) {
            v = System.getProperty(name);
        }
        if (v == null) {
            v = System.getenv(io.collector.jumpcloud.config.SettingsDocs.envName(name));
        }
        return v;
    }
}
