package io.collector.jumpcloud.app;

import java.util.List;
import org.apache.camel.builder.RouteBuilder;

/**
 * Stamps one route per configured service (and organization) out of the YAML route template
 * {@value #TEMPLATE} (routes/jumpcloud-to-devo.yaml), as apache/camel-examples' routetemplate does:
 * the services come from {@code jumpcloud.services}, the organizations from {@code jumpcloud.org-id}
 * (alone, or in groups of {@code jumpcloud.orgs-per-request}, each group's ids joined by commas),
 * the data flow from the YAML file.
 */
public final class ServiceRoutes extends RouteBuilder {
    public static final String TEMPLATE = "jumpcloud-service";

    /** The template's consumer when this process runs alone. */
    public static final String ALONE = "jumpcloud:events";

    private final List<String> services;
    private final List<String> orgs;
    private final boolean replicated;

    public ServiceRoutes(List<String> services) {
        this(services, List.of());
    }

    public ServiceRoutes(List<String> services, List<String> orgs) {
        this(services, orgs, false);
    }

    /** With {@code replicated} (collector.cluster set), each route pulls on the one replica that leads its namespace. */
    public ServiceRoutes(List<String> services, List<String> orgs, boolean replicated) {
        this.services = List.copyOf(services);
        this.orgs = List.copyOf(orgs);
        this.replicated = replicated;
    }

    /**
     * The route's consumer, its template parameter {@code source}: the jumpcloud endpoint, or that
     * endpoint under camel-master, whose namespace (one lock or lease) is the route's id.
     */
    public String source(String routeId) {
        return replicated ? "master:" + routeId + ":" + ALONE : ALONE;
    }

    public static String routeId(String service) {
        return "jumpcloud-" + service;
    }

    /** {@code jumpcloud-<org>-<service>}; for a group of organizations (ids joined by commas) {@code jumpcloud-<first>-and-<n>-more-<service>}. */
    public static String routeId(String service, String org) {
        if (org == null || org.isEmpty()) {
            return routeId(service);
        }
        String[] orgs = org.split(",");
        return orgs.length == 1 ? "jumpcloud-" + org + "-" + service
                : "jumpcloud-" + orgs[0].trim() + "-and-" + (orgs.length - 1) + "-more-" + service;
    }

    @Override
    public void configure() {
        if (orgs.isEmpty()) {
            for (String service : services) {
                templatedRoute(TEMPLATE).routeId(routeId(service)).parameter("service", service)
                        .parameter("source", source(routeId(service)));
            }
            return;
        }
        for (String org : orgs) {
            for (String service : services) {
                templatedRoute(TEMPLATE).routeId(routeId(service, org)).parameter("service", service).parameter("org", org)
                        .parameter("source", source(routeId(service, org)));
            }
        }
    }
}
