package io.collector.jumpcloud.app;

import io.collector.jumpcloud.config.SettingsException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The address of camel-main's management server (/observe/health, /observe/metrics), resolved from
 * the settings exactly as camel-main resolves them (camel.management.port, by default
 * {@code {{camel.server.port:9876}}}). Its port is checked before the start: camel-main alone logs a
 * 40-line BindException for a busy port and runs on without health or metrics, which a container's
 * probe would then kill for no reason it could tell.
 */
final class ManagementServer {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    static final String PORT_SETTING = "camel.server.port";

    record Address(String host, int port) {
        /** The address a client on this machine uses: loopback when the server listens on every interface. */
        String local() {
            return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        }

        String healthUrl() {
            return "http://" + local() + ":" + port + "/observe/health";
        }
    }

    private ManagementServer() {
    }

    /** The management server's address, or null when it is off (camel.management.enabled=false). */
    static Address of(CamelContext context) {
        String enabled = resolve(context, "camel.management.enabled", "false");
        if (!Boolean.parseBoolean(enabled.trim())) {
            return null;
        }
        String port = resolve(context, "camel.management.port", "8080").trim();
        String host = resolve(context, "camel.management.host", "0.0.0.0").trim();
        try {
            return new Address(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new SettingsException(PORT_SETTING, "'" + port + "' is not a port number (1 to 65535)");
        }
    }

    private static String resolve(CamelContext context, String key, String dflt) {
        // camel-main reads -D and CAMEL_... variables over the files: the properties component does the same
        return context.getPropertiesComponent().resolveProperty(key).map(context::resolvePropertyPlaceholders).orElse(dflt);
    }

    /** Throws naming camel.server.port when another program holds the port. */
    static void checkFree(Address a) {
        if (a == null || a.port() == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as Vert.x binds: a port in TIME_WAIT is free
            s.bind(new InetSocketAddress(a.host(), a.port()));
        } catch (IOException e) {
            throw new SettingsException(PORT_SETTING, "port " + a.port() + " on " + a.host() + " is in use by another program (another "
                    + "collector?): /observe/health and /observe/metrics cannot listen there. Stop it, or set " + PORT_SETTING
                    + " (CAMEL_SERVER_PORT) to a free port");
        }
    }

    /**
     * Once started: where health and metrics listen, as bound (camel-main's own line says 0.0.0.0
     * whatever the host; port 0 is the port the system chose).
     */
    static void logBound(CamelContext context, Address a) {
        if (a == null) {
            return;
        }
        int port = a.port();
        var servers = context.hasServices(org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer.class);
        if (servers.size() == 1) {
            port = servers.iterator().next().getPort();
        }
        LOG.info("Health and metrics on http://{}:{}/observe/health and /observe/metrics", a.host(), port);
    }
}
