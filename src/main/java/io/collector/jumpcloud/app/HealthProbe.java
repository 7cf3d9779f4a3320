package io.collector.jumpcloud.app;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code java -jar jumpcloud-devo-collector.jar --health}: asks the running collector's
 * /observe/health on loopback (port {@code camel.server.port} / {@code CAMEL_SERVER_PORT}, default
 * 9876) and exits 0 when it answers UP. The Docker HEALTHCHECK uses it: the JRE image has no curl.
 */
final class HealthProbe {
    private HealthProbe() {
    }

    /** camel.server.port of ./application.properties (as the collector reads it), or 9876. */
    private static String fromFile() {
        java.util.Properties p = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("application.properties"))) {
            p.load(in);
        } catch (java.io.IOException | RuntimeException none) {
            // no file here: the default
        }
        return p.getProperty("camel.server.port", "9876");
    }

    static int run(PrintStream out) {
        String port = System.getProperty("camel.server.port", System.getenv().getOrDefault("CAMEL_SERVER_PORT", fromFile()));
        String url = "http://127.0.0.1:" + port.trim() + "/observe/health";
        try {
            HttpResponse<String> res = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            out.println(res.statusCode() + " " + res.body().replaceAll("\\s+", " "));
            return res.statusCode() == 200 ? 0 : 1;
        } catch (Exception e) {
            out.println("no answer from " + url + ": " + e);
            return 1;
        }
    }
}
