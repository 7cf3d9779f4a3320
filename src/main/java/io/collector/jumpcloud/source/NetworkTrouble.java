package io.collector.jumpcloud.source;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.config.ProxySetting;


/**
 * A failure to reach JumpCloud in words: which host and port, what happened (the name not resolved,
 * the connection refused or timed out, TLS failing), and what to check. Not the exception's class
 * and its often empty message ({@code ConnectException: null}).
 */
final class NetworkTrouble {
    private NetworkTrouble() {
    }

    /** Null when {@code e} is not a network failure (then its own message says more). */
    static String describe(Throwable e, CollectorSettings settings) {
        return describe(e, settings.baseUrl().toString(), settings.proxy().orElse(null));
    }

    /** With a proxy, the connection failures are the proxy's: it is the proxy's host and port that are named. */
    static String describe(Throwable e, String baseUrl, ProxySetting proxy) {
        URI u = URI.create(baseUrl);
        int port = u.getPort() > 0 ? u.getPort() : "http".equalsIgnoreCase(u.getScheme()) ? 80 : 443;
        String where = proxy == null ? u.getHost() + ":" + port : "the proxy " + proxy.host() + ":" + proxy.port();
        String name = proxy == null ? u.getHost() : proxy.host();
        String check = proxy == null
                ? "check the network, a proxy (jumpcloud.proxy-url, or HTTPS_PROXY/NO_PROXY) and jumpcloud.region / jumpcloud.base-url"
                : "check the network and the proxy " + proxy + " (jumpcloud.proxy-url, or HTTPS_PROXY/NO_PROXY)";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "the name " + name + " cannot be resolved (DNS): " + check;
            }
            if (t instanceof org.apache.hc.client5.http.ConnectTimeoutException || t instanceof java.net.http.HttpConnectTimeoutException) {
                return "no connection to " + where + " within 10 s (a firewall dropping it?): " + check;
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to " + where + ": " + check;
            }
            if (t instanceof ConnectException || t instanceof org.apache.hc.client5.http.HttpHostConnectException) {
                return "the connection to " + where + " was refused (nothing listens there, or a firewall refuses it): " + check;
            }
            if (t instanceof SSLException) {
                return "TLS with " + u.getHost() + ":" + port + " failed (" + t.getMessage()
                        + "): an intercepting proxy whose CA this JVM does not trust (add it with -Djavax.net.ssl.trustStore in JAVA_OPTS)? "
                        + check;
            }
            if (t instanceof org.apache.hc.core5.http.MessageConstraintException) {
                return where + " answered with headers too large to hold (" + t.getMessage() + "; at most "
                        + JumpCloudClient.MAX_HEADER_LINE / 1024 + " KB a line and " + JumpCloudClient.MAX_HEADERS
                        + " headers): not an answer of JumpCloud's; " + check;
            }
            if (t instanceof SocketTimeoutException) {
                return where + " stopped answering (a read timed out): " + check;
            }
        }
        return null;
    }
}
