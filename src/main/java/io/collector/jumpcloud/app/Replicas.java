package io.collector.jumpcloud.app;

import io.collector.jumpcloud.cluster.ReplicaCluster;
import io.collector.jumpcloud.config.ClusterSettings;
import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.config.SettingsException;
import io.collector.jumpcloud.observe.CollectorHealth;
import io.collector.jumpcloud.observe.Leadership;
import io.collector.jumpcloud.source.JumpCloudSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process as one of several replicas (collector.cluster): the cluster joined, each route's
 * {@code master:} consumer electing its leader there, health and metrics saying which routes this
 * replica leads, and a stop that hands over only once the pages in flight are delivered and saved.
 */
final class Replicas {
    private static final Logger LOG = LoggerFactory.getLogger(Replicas.class);
    /** The longest a stop waits for the pulls in progress to end at their page boundary (within camel-main's 8 s). */
    static final long HANDOVER_WAIT_MS = 6000;

    private Replicas() {
    }

    static void setUp(CamelContext context, CollectorSettings settings, JumpCloudSource source, MeterRegistry registry,
                      CollectorHealth health) {
        ClusterSettings cs = settings.cluster().orElseThrow();
        ReplicaCluster cluster;
        try {
            cluster = ReplicaCluster.join(context, cs, settings.hostname());
        } catch (NoClassDefFoundError e) {
            throw new SettingsException(ClusterSettings.CLUSTER, "needs camel-master" + (cs.kind().equals("file") ? " and camel-file"
                    : " and camel-kubernetes") + ", which this runtime does not have (" + e.getMessage() + ")");
        } catch (Exception e) {
            throw new SettingsException(ClusterSettings.CLUSTER, "cannot join the cluster (" + cs + "): " + e.getMessage(), e);
        }
        source.replicated(true);
        health.leadership(new Leadership() {
            @Override
            public String replica() {
                return cluster.replica();
            }

            @Override
            public boolean leads(String service, String org) {
                return cluster.leads(ServiceRoutes.routeId(service, org));
            }
        });
        List<String> orgs = settings.orgGroups().isEmpty() ? java.util.Collections.singletonList(null) : settings.orgGroups();
        for (String org : orgs) {
            for (String service : settings.services()) {
                String routeId = ServiceRoutes.routeId(service, org);
                Gauge.builder("collector.replica.leader", cluster, c -> c.leads(routeId) ? 1 : 0)
                        .description("1 where this replica leads the route (pulls it), 0 on a standby")
                        .tag("route", routeId).tag("replica", cluster.replica()).register(registry);
            }
        }
        try {
            context.addStartupListener((ctx, alreadyStarted) -> requireMaster(ctx));
        } catch (Exception e) {
            throw new IllegalStateException("cannot check the routes of the cluster", e);
        }
        // on a stop, the pulls end at their page boundary before camel-master releases the routes
        // (it lets go of the lock before it stops the consumer): the next leader reads a saved checkpoint
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) throws Exception {
                if (event instanceof CamelEvent.CamelContextStoppingEvent) {
                    if (!source.awaitPullsEnd(HANDOVER_WAIT_MS)) {
                        LOG.warn("A pull did not reach its page boundary within {} ms of the stop: the replica taking over "
                                + "may send its page again", HANDOVER_WAIT_MS);
                    }
                }
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }
        });
    }

    /** A route whose consumer is not under master: would pull on every replica at once: the start stops. */
    static void requireMaster(CamelContext context) {
        for (Route route : context.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            if (route.getRouteId().startsWith("jumpcloud-") && uri.startsWith("jumpcloud:")) {
                throw new SettingsException(ClusterSettings.CLUSTER, "is set, but route " + route.getRouteId() + " reads JumpCloud with '"
                        + uri.replaceAll("\\?.*", "") + "' on every replica at once: its template's from uri must be \"{{source}}\" "
                        + "(routes/jumpcloud-to-devo.yaml as shipped), which puts it under master:");
            }
        }
    }
}
