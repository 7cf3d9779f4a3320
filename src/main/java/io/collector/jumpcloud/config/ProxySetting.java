package io.collector.jumpcloud.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The HTTP proxy JumpCloud is reached through: {@code jumpcloud.proxy-url}, else the environment as
 * curl reads it ({@code https_proxy}/{@code HTTPS_PROXY} for an https API, {@code http_proxy} for a
 * plain http one, then {@code all_proxy}/{@code ALL_PROXY}), unless {@code no_proxy}/{@code NO_PROXY}
 * names the API's host. Its password is kept out of every text this class makes.
 */
public final class ProxySetting {
    private final String scheme;
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String from;

    private ProxySetting(String scheme, String host, int port, String user, String password, String from) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.from = from;
    }

    /**
     * The proxy for requests to {@code target}, if any. The environment's proxy is not used for this
     * machine's own addresses (a proxy cannot reach them), as Java's own default for http.nonProxyHosts.
     */
    public static Optional<ProxySetting> choose(Optional<String> setting, Function<String, String> env, URI target) {
        String targetHost = target.getHost() == null ? "" : target.getHost();
        if (bypassed(first(env, "no_proxy", "NO_PROXY"), targetHost)) {
            return Optional.empty();
        }
        if (setting.isPresent()) {
            return Optional.of(parse(setting.get(), CollectorSettings.PROXY_URL));
        }
        String[] names = "https".equalsIgnoreCase(target.getScheme())
                ? new String[] {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}
                : new String[] {"http_proxy", "all_proxy", "ALL_PROXY"}; // curl ignores HTTP_PROXY (CGI's Proxy: header)
        for (String name : names) {
            String v = env.apply(name);
            if (v != null && !v.isBlank()) {
                return CollectorSettings.isLoopback(targetHost) ? Optional.empty() : Optional.of(parse(v.trim(), name));
            }
        }
        return Optional.empty();
    }

    /** http://[user:password@]host[:port] as curl takes it (no scheme means http; port 1080 by default as curl's). */
    static ProxySetting parse(String value, String from) {
        String v = value.contains("://") ? value : "http://" + value;
        URI u;
        try {
            u = new URI(v);
        } catch (URISyntaxException e) {
            throw new SettingsException(from, "is not a proxy URL http://[user:password@]host:port" + hint(from));
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new SettingsException(from, "uses the proxy scheme '" + scheme + "': only an http:// or https:// proxy is "
                    + "supported" + hint(from));
        }
        if (u.getHost() == null) {
            throw new SettingsException(from, "names no proxy host: http://[user:password@]host:port" + hint(from));
        }
        String user = null;
        String password = null;
        if (u.getRawUserInfo() != null) {
            String[] parts = u.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
        }
        int port = u.getPort() > 0 ? u.getPort() : 1080;
        return new ProxySetting(scheme, u.getHost(), port, user, password, from);
    }

    // the value itself is never repeated: it may hold the proxy's password
    private static String hint(String from) {
        return from.equals(CollectorSettings.PROXY_URL) ? "" : " (read from the environment variable " + from + ")";
    }

    /** no_proxy as curl reads it: '*' for every host, else host names matched whole or as a domain's suffix. */
    static boolean bypassed(String noProxy, String host) {
        if (noProxy == null || noProxy.isBlank()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (String entry : noProxy.split(",")) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            if (e.equals("*")) {
                return true;
            }
            if (e.startsWith(".")) {
                e = e.substring(1);
            }
            int colon = e.lastIndexOf(':');
            if (colon > 0 && e.indexOf(':') == colon) {
                e = e.substring(0, colon); // host:port, the port not compared
            }
            if (h.equals(e) || h.endsWith("." + e)) {
                return true;
            }
        }
        return false;
    }

    private static String first(Function<String, String> env, String... names) {
        for (String n : names) {
            String v = env.apply(n);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    public String scheme() { return scheme; }
    public String host() { return host; }
    public int port() { return port; }
    public Optional<String> user() { return Optional.ofNullable(user); }
    /** The password, for the HTTP client only. */
    public char[] password() { return password == null ? new char[0] : password.toCharArray(); }
    /** Where the proxy came from: jumpcloud.proxy-url or the environment variable's name. */
    public String from() { return from; }

    /** scheme://host:port, the user if any, and where it came from; never the password. */
    @Override
    public String toString() {
        // the user decoded from the URL may hold anything (%0a): escaped, so it cannot forge a log line
        return scheme + "://" + host + ":" + port + (user == null ? "" : " as '" + io.collector.jumpcloud.observe.LogSafe.text(user, 64) + "'")
                + " (" + from + ")";
    }
}
