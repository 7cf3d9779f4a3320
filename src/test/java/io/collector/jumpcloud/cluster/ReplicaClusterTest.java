package io.collector.jumpcloud.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.config.ClusterSettings;
import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.config.SettingsException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * collector.cluster and its settings build the cluster service Camel's master: consumers elect
 * with: a file lock as ReplicaFailoverIT runs it, and Kubernetes Leases as far as a machine without
 * Kubernetes can check them (configured, initialised, a view made; no API server is asked).
 */
class ReplicaClusterTest {
    private static CollectorSettings settings(Map<String, String> more) {
        Map<String, String> m = new HashMap<>(Map.of("jumpcloud.api-key", "k"));
        m.putAll(more);
        return CollectorSettings.from(n -> Optional.ofNullable(m.get(n)), Clock.systemUTC());
    }

    @Test
    void unsetRunsAlone() {
        assertTrue(settings(Map.of()).cluster().isEmpty());
    }

    @Test
    void aFileLockInTheSharedFolder() {
        ClusterSettings cs = settings(Map.of("collector.cluster", "file:/shared/locks", "collector.cluster.retry-period", "1500"))
                .cluster().orElseThrow();
        FileLockClusterService file = (FileLockClusterService) ReplicaCluster.build(cs, "replica-a");
        assertEquals(Path.of("/shared/locks").toAbsolutePath().toString(), file.getRoot());
        assertEquals("replica-a", file.getId());
        assertEquals(1500, file.getAcquireLockIntervalUnit().toMillis(file.getAcquireLockInterval()));
        assertEquals(ClusterSettings.FILE_HEARTBEAT_PERIODS, file.getHeartbeatTimeoutMultiplier());
        // a leader whose folder stalls gives up before the others take it for gone
        long givesUpMs = file.getClusterDataTaskMaxAttempts() * file.getClusterDataTaskTimeoutUnit().toMillis(file.getClusterDataTaskTimeout());
        assertTrue(givesUpMs < ClusterSettings.FILE_HEARTBEAT_PERIODS * 1500L, givesUpMs + " ms");
        assertEquals(5 * 1500 + 1500 + 1000, cs.takeoverBoundMs());
    }

    @Test
    void kubernetesLeasesFromTheSettings() throws Exception {
        ClusterSettings cs = settings(Map.of("collector.cluster", "kubernetes", "collector.cluster.namespace", "security-tools",
                "collector.cluster.lease-duration", "20000", "collector.cluster.renew-deadline", "12000",
                "collector.cluster.retry-period", "3000")).cluster().orElseThrow();
        KubernetesClusterService k8s = (KubernetesClusterService) ReplicaCluster.build(cs, "replica-a");
        assertEquals("security-tools", k8s.getKubernetesResourcesNamespace());
        assertEquals(20000, k8s.getLeaseDurationMillis());
        assertEquals(12000, k8s.getRenewDeadlineMillis());
        assertEquals(3000, k8s.getRetryPeriodMillis());
        assertEquals("jumpcloud-devo-collector", k8s.getKubernetesResourceName());
        // the service and a route's view are made without a Kubernetes API (the client comes at start)
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            k8s.setCamelContext(context);
            k8s.init();
            assertNotNull(k8s.getView("jumpcloud-directory"));
        }
    }

    @Test
    void badClusterSettingsNameTheSetting() {
        SettingsException kind = assertThrows(SettingsException.class, () -> settings(Map.of("collector.cluster", "zookeeper")));
        assertTrue(kind.getMessage().startsWith("collector.cluster: 'zookeeper' is not valid"), kind.getMessage());
        SettingsException renew = assertThrows(SettingsException.class, () -> settings(Map.of("collector.cluster", "kubernetes",
                "collector.cluster.lease-duration", "10000", "collector.cluster.renew-deadline", "10000")));
        assertTrue(renew.getMessage().startsWith("collector.cluster.renew-deadline: 10000 ms is not shorter than"), renew.getMessage());
        SettingsException namespace = assertThrows(SettingsException.class, () -> settings(Map.of("collector.cluster", "kubernetes",
                "collector.cluster.namespace", "Not_A_Namespace")));
        assertTrue(namespace.getMessage().startsWith("collector.cluster.namespace:"), namespace.getMessage());
    }
}
