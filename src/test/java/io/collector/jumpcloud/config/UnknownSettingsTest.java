package io.collector.jumpcloud.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A misspelt setting stops the start naming it and the setting meant, wherever it was given. */
class UnknownSettingsTest {
    @Test
    void aMisspeltPropertyNamesTheNearestSetting() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> UnknownSettings.check(Map.of("jumpcloud.pagesize", "given as -Djumpcloud.pagesize"), Map.of()));
        assertEquals("jumpcloud.pagesize", e.setting());
        assertTrue(e.getMessage().contains("is not a setting of the collector (given as -Djumpcloud.pagesize): did you mean "
                + "jumpcloud.page-size?"), e.getMessage());

        e = assertThrows(SettingsException.class,
                () -> UnknownSettings.check(Map.of("devo.tls.certfile", "in the properties"), Map.of()));
        assertTrue(e.getMessage().contains("did you mean devo.tls.cert-file?"), e.getMessage());
        e = assertThrows(SettingsException.class,
                () -> UnknownSettings.check(Map.of("collector.statedir", "in the properties"), Map.of()));
        assertTrue(e.getMessage().contains("did you mean collector.state-dir?"), e.getMessage());
    }

    @Test
    void aMisspeltEnvironmentVariableNamesTheVariableMeant() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> UnknownSettings.check(Map.of(), Map.of("JUMPCLOUD_PAGESIZE", "500", "PATH", "/bin")));
        assertEquals("JUMPCLOUD_PAGESIZE", e.setting());
        assertTrue(e.getMessage().contains("did you mean JUMPCLOUD_PAGE_SIZE (jumpcloud.page-size)?"), e.getMessage());
        e = assertThrows(SettingsException.class, () -> UnknownSettings.check(Map.of(), Map.of("DEVO_TLS_CERT", "x")));
        assertTrue(e.getMessage().contains("did you mean DEVO_TLS_CERT_FILE (devo.tls.cert-file)?"), e.getMessage());
    }

    @Test
    void nothingIsSuggestedForANameFarFromEverySetting() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> UnknownSettings.check(Map.of("devo.something-else-entirely", "in the properties"), Map.of()));
        assertFalse(e.getMessage().contains("did you mean"), e.getMessage());
        assertTrue(e.getMessage().contains("--help lists them all"), e.getMessage());
    }

    @Test
    void knownSettingsOtherNamespacesAndKubernetesVariablesPass() {
        Map<String, String> props = new java.util.HashMap<>();
        SettingsSchema.all().forEach(n -> props.put(n, "in the properties"));
        props.put("devo.table.device_trust", "in the properties"); // a service JumpCloud added later
        props.put("camel.main.name", "in the properties");
        props.put("java.version", "given as -Djava.version");
        Map<String, String> env = new java.util.HashMap<>();
        SettingsSchema.all().forEach(n -> env.put(SettingsDocs.envName(n), "x"));
        env.put("DEVO_TABLE_DEVICE_TRUST", "my.app.jumpcloud.trust");
        // what Kubernetes adds for a service named devo-relay, and for one named jumpcloud
        env.put("DEVO_RELAY_SERVICE_HOST", "10.0.0.7");
        env.put("DEVO_RELAY_SERVICE_PORT", "443");
        env.put("DEVO_RELAY_SERVICE_PORT_SYSLOG", "443");
        env.put("DEVO_RELAY_PORT", "tcp://10.0.0.7:443");
        env.put("DEVO_RELAY_PORT_443_TCP", "tcp://10.0.0.7:443");
        env.put("DEVO_RELAY_PORT_443_TCP_ADDR", "10.0.0.7");
        env.put("DEVO_RELAY_PORT_443_TCP_PORT", "443");
        env.put("DEVO_RELAY_PORT_443_TCP_PROTO", "tcp");
        env.put("JUMPCLOUD_SERVICE_HOST", "10.0.0.8");
        env.put("HOME", "/root");
        assertDoesNotThrow(() -> UnknownSettings.check(props, env));
    }
}
