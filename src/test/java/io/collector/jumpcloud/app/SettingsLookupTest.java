package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.config.SettingsException;
import java.time.Clock;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values that look like Camel configuration: "{{" or "}}" in a proxy password. Camel resolves them as
 * a placeholder and gives an empty value, which read as "no proxy" — requests then went out without it.
 */
class SettingsLookupTest {
    @ParameterizedTest
    @ValueSource(strings = {"http://svc:Pa{{ss@proxy.corp:3128", "http://svc:pa}}ss@proxy.corp:3128", "http://svc:{{no.such}}@proxy.corp:3128"})
    void aValueCamelWouldReadAsEmptyIsRefusedWithItsSettingNamed(String proxyUrl) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().addOverrideProperty(CollectorSettings.API_KEY, "k");
            context.getPropertiesComponent().addOverrideProperty(CollectorSettings.PROXY_URL, proxyUrl);
            SettingsException e = assertThrows(SettingsException.class, () -> CollectorBeans.settings(context, Clock.systemUTC()));
            assertEquals(CollectorSettings.PROXY_URL, e.setting());
            assertTrue(e.getMessage().contains("holds '{{' or '}}', which Camel reads as a property placeholder"), e.getMessage());
            assertTrue(!e.getMessage().contains("Pa{{ss") && !e.getMessage().contains("pa}}ss"), "the value is not shown: " + e.getMessage());
        }
    }
}
