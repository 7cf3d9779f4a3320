package io.collector.jumpcloud.source;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/**
 * A failure to reach JumpCloud in words: which host and port, what happened (the name not resolved,
 * the connection refused or timed out, TLS failing), and what to check. Not the exception's class
 * and its often empty message ({@code ConnectException: null}).
 */
final class NetworkTrouble {
    private NetworkTrouble() {
    }

    /** Null when {@code e} is not a network failure (then its own message says more). */
    static String describe(Throwable e, String baseUrl) {
        URI u = URI.create(baseUrl);
        int port = u.getPort() > 0 ? u.getPort() : "http".equalsIgnoreCase(u.getScheme()) ? 80 : 443;
        String where = u.getHost() + ":" + port;
        String check = "check the network, a proxy (jumpcloud.proxy-url, or HTTPS_PROXY/NO_PROXY) and jumpcloud.region / jumpcloud.base-url";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "the name " + u.getHost() + " cannot be resolved (DNS): " + check;
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
                return "TLS with " + where + " failed (" + t.getMessage() + "): an intercepting proxy whose CA this JVM does not trust? " + check;
            }
            if (t instanceof SocketTimeoutException) {
                return where + " stopped answering (a read timed out): " + check;
            }
        }
        return null;
    }
}
