package io.collector.jumpcloud.app;

import java.util.List;
import org.apache.camel.builder.RouteBuilder;

/**
 * Stamps one route per configured service out of the YAML route template
 * {@value #TEMPLATE} (routes/jumpcloud-to-devo.yaml), as apache/camel-examples' routetemplate does:
 * the services come from {@code jumpcloud.services}, the data flow from the YAML file.
 */
public final class ServiceRoutes extends RouteBuilder {
    public static final String TEMPLATE = "jumpcloud-service";

    private final List<String> services;

    public ServiceRoutes(List<String> services) {
        this.services = List.copyOf(services);
    }

    public static String routeId(String service) {
        return "jumpcloud-" + service;
    }

    @Override
    public void configure() {
        for (String service : services) {
            templatedRoute(TEMPLATE).routeId(routeId(service)).parameter("service", service);
        }
    }
}
