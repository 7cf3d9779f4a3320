package io.collector.jumpcloud.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The proxy chosen as curl chooses it, and its password kept out of every text. */
class ProxySettingTest {
    private static final URI JUMPCLOUD = URI.create("https://api.jumpcloud.com");

    private static Optional<ProxySetting> choose(String setting, Map<String, String> env, URI target) {
        return ProxySetting.choose(Optional.ofNullable(setting), env::get, target);
    }

    @Test
    void httpsProxyAsCurlReadsIt() {
        assertEquals("http://proxy.corp:3128 (https_proxy)",
                choose(null, Map.of("https_proxy", "http://proxy.corp:3128", "HTTPS_PROXY", "http://other:1"), JUMPCLOUD).orElseThrow().toString());
        assertEquals("http://other:1 (HTTPS_PROXY)", choose(null, Map.of("HTTPS_PROXY", "http://other:1"), JUMPCLOUD).orElseThrow().toString());
        assertEquals("http://all:8080 (ALL_PROXY)", choose(null, Map.of("ALL_PROXY", "all:8080"), JUMPCLOUD).orElseThrow().toString(),
                "no scheme means http, as curl");
        assertEquals("http://p:1080 (https_proxy)", choose(null, Map.of("https_proxy", "p"), JUMPCLOUD).orElseThrow().toString(),
                "curl's default proxy port");
        assertTrue(choose(null, Map.of("http_proxy", "http://p:1"), JUMPCLOUD).isEmpty(), "http_proxy is for plain http targets");
        assertTrue(choose(null, Map.of("HTTP_PROXY", "http://p:1"), URI.create("http://10.0.0.5:8080")).isEmpty(),
                "curl ignores upper-case HTTP_PROXY");
    }

    @Test
    void noProxyAndThisMachineGoDirect() {
        Map<String, String> env = Map.of("HTTPS_PROXY", "http://p:3128", "NO_PROXY", "localhost, .jumpcloud.com");
        assertTrue(choose(null, env, JUMPCLOUD).isEmpty(), "a domain suffix with its dot");
        assertTrue(choose(null, Map.of("HTTPS_PROXY", "http://p:3128", "no_proxy", "jumpcloud.com"), JUMPCLOUD).isEmpty());
        assertTrue(choose(null, Map.of("HTTPS_PROXY", "http://p:3128", "no_proxy", "*"), JUMPCLOUD).isEmpty());
        assertFalse(choose(null, Map.of("HTTPS_PROXY", "http://p:3128", "no_proxy", "cloud.com"), JUMPCLOUD).isEmpty(),
                "a suffix matches whole labels only");
        assertTrue(choose(null, Map.of("HTTPS_PROXY", "http://p:3128"), URI.create("https://127.0.0.1:8443")).isEmpty(),
                "the environment's proxy cannot reach this machine's own addresses");
        assertTrue(choose("http://p:3128", Map.of("NO_PROXY", "api.jumpcloud.com"), JUMPCLOUD).isEmpty(), "NO_PROXY also for the setting");
        assertEquals("http://p:3128 (jumpcloud.proxy-url)", choose("http://p:3128", Map.of(), URI.create("https://127.0.0.1:1")).orElseThrow()
                .toString(), "the setting is used as given");
    }

    @Test
    void theSettingWinsAndItsPasswordIsNeverShown() {
        ProxySetting p = choose("http://svc%40corp:p%3Ass@proxy.corp:8080", Map.of("HTTPS_PROXY", "http://other:1"), JUMPCLOUD).orElseThrow();
        assertEquals("proxy.corp", p.host());
        assertEquals(8080, p.port());
        assertEquals("svc@corp", p.user().orElseThrow());
        assertEquals("p:ss", new String(p.password()), "percent-encoded as in a URL");
        assertEquals("http://proxy.corp:8080 as 'svc@corp' (jumpcloud.proxy-url)", p.toString());
        // a user name decoded into a line break would forge a log line of its own
        ProxySetting forged = choose("http://a%0a2026-01-01%20ERROR%20forged@proxy.corp:8080", Map.of(), JUMPCLOUD).orElseThrow();
        assertEquals("http://proxy.corp:8080 as 'a\\u000a2026-01-01 ERROR forged' (jumpcloud.proxy-url)", forged.toString());
    }

    @Test
    void aBadProxyNamesWhereItCameFromButNotItsValue() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> choose(null, Map.of("HTTPS_PROXY", "socks5://u:hunter2@p:1080"), JUMPCLOUD));
        assertTrue(e.getMessage().startsWith("HTTPS_PROXY: uses the proxy scheme 'socks5'"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        SettingsException schema = assertThrows(SettingsException.class, () -> CollectorSettings.from(
                n -> Optional.ofNullable(Map.of("jumpcloud.api-key", "k", "jumpcloud.proxy-url", "ftp://u:hunter2@p").get(n)),
                java.time.Clock.systemUTC()));
        assertTrue(schema.getMessage().startsWith("jumpcloud.proxy-url: the value is not valid"), schema.getMessage());
        assertFalse(schema.getMessage().contains("hunter2"), schema.getMessage());
    }
}
