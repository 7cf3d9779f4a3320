package io.collector.jumpcloud.app;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * {@code java -jar jumpcloud-devo-collector.jar --health}: asks the running collector's
 * /observe/health and exits 0 when it answers UP. The address comes from the settings read exactly
 * as the run reads them (application.properties, -D, environment: camel.server.port,
 * camel.server.host, camel.management.*). The Docker HEALTHCHECK uses it: the JRE image has no curl.
 */
final class HealthProbe {
    private HealthProbe() {
    }

    static int run(PrintStream out) {
        ManagementServer.Address a;
        try {
            DefaultCamelContext context = new DefaultCamelContext(false); // only its properties: never started
            context.getPropertiesComponent().setLocation(CollectorApplication.PROPERTIES);
            a = ManagementServer.of(context);
        } catch (RuntimeException e) {
            out.println("cannot tell where the collector's health endpoint is: " + e.getMessage());
            return 1;
        }
        if (a == null) {
            out.println("camel.management.enabled is false: the collector serves no health endpoint");
            return 1;
        }
        String url = a.healthUrl() + "?data=true"; // each check's details (Camel lists them with data=true)
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
