package io.collector.jumpcloud.cluster;

import io.collector.jumpcloud.config.ClusterSettings;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.master.MasterComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * collector.cluster: Camel's cluster service the routes' {@code master:} consumers elect their leader
 * with, one namespace per route (its id). Only this class names camel-master, camel-file's lock and
 * camel-kubernetes: a collector running alone never loads them.
 */
public final class ReplicaCluster {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaCluster.class);

    private final CamelClusterService service;
    private final ClusterSettings settings;
    private final String replica;

    private ReplicaCluster(CamelClusterService service, ClusterSettings settings, String replica) {
        this.service = service;
        this.settings = settings;
        this.replica = replica;
    }

    /**
     * Builds the cluster service of the settings and gives it to the context and to its master
     * component (this cluster, not another one an embedding application may have). Before the routes start.
     */
    public static ReplicaCluster join(CamelContext context, ClusterSettings settings, String replica) throws Exception {
        CamelClusterService service = build(settings, replica);
        context.addService(service, true, true);
        context.getComponent("master", MasterComponent.class).setService(service);
        LOG.info("Replica '{}' of a cluster ({}): each route pulls on the replica that leads it; a leader that dies without a word "
                + "is replaced within {} s", replica, settings, settings.takeoverBoundMs() / 1000);
        return new ReplicaCluster(service, settings, replica);
    }

    /** The cluster service of the settings, configured, not started. */
    public static CamelClusterService build(ClusterSettings settings, String replica) {
        if (settings.kind().equals("file")) {
            FileLockClusterService file = new FileLockClusterService();
            file.setId(replica);
            file.setRoot(settings.folder().toAbsolutePath().toString());
            file.setAcquireLockDelay(settings.retryPeriodMs() / 2, TimeUnit.MILLISECONDS);
            file.setAcquireLockInterval(settings.retryPeriodMs(), TimeUnit.MILLISECONDS);
            file.setHeartbeatTimeoutMultiplier(ClusterSettings.FILE_HEARTBEAT_PERIODS);
            // a leader whose shared folder stalls must give up (2 tries of one period each) well before
            // the others take it for gone (5 periods without its heartbeat): it stops pulling first
            file.setClusterDataTaskMaxAttempts(2);
            file.setClusterDataTaskTimeout(settings.retryPeriodMs(), TimeUnit.MILLISECONDS);
            return file;
        }
        KubernetesClusterService k8s = new KubernetesClusterService();
        k8s.setId(replica); // the pod name stays Camel's default, HOSTNAME: the Lease names the pod
        if (settings.namespace() != null) {
            k8s.setKubernetesResourcesNamespace(settings.namespace());
        }
        k8s.setKubernetesResourceName("jumpcloud-devo-collector");
        k8s.setLeaseDurationMillis(settings.leaseDurationMs());
        k8s.setRenewDeadlineMillis(settings.renewDeadlineMs());
        k8s.setRetryPeriodMillis(settings.retryPeriodMs());
        return k8s;
    }

    /** Whether this replica leads the route (its namespace is the route's id). */
    public boolean leads(String routeId) {
        return service.isLeader(routeId);
    }

    public String replica() {
        return replica;
    }

    public ClusterSettings settings() {
        return settings;
    }
}
