package io.collector.jumpcloud.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * collector.cluster and its settings: this process as one of several replicas, each route pulling on
 * the one replica that leads it (a file lock in a shared folder, or Kubernetes Leases).
 *
 * @param kind             "file" or "kubernetes"
 * @param folder           the shared folder of the locks (file only)
 * @param namespace        the Kubernetes namespace of the Leases (null: the pod's own)
 * @param leaseDurationMs  Kubernetes: how long a Lease holds without renewal
 * @param renewDeadlineMs  Kubernetes: how long a leader tries to renew before it stops
 * @param retryPeriodMs    how often a standby tries to lead (and a file lock's heartbeat)
 */
public record ClusterSettings(String kind, Path folder, String namespace, long leaseDurationMs, long renewDeadlineMs,
        long retryPeriodMs) {
    public static final String CLUSTER = "collector.cluster";
    public static final String NAMESPACE = "collector.cluster.namespace";
    public static final String LEASE_DURATION = "collector.cluster.lease-duration";
    public static final String RENEW_DEADLINE = "collector.cluster.renew-deadline";
    public static final String RETRY_PERIOD = "collector.cluster.retry-period";
    /** A file lock's leader is taken for gone after this many retry periods without its heartbeat. */
    public static final int FILE_HEARTBEAT_PERIODS = 5;

    static Optional<ClusterSettings> read(SettingsReader r) {
        Optional<String> cluster = r.optional(CLUSTER);
        if (cluster.isEmpty()) {
            return Optional.empty();
        }
        long lease = r.number(LEASE_DURATION);
        long renew = r.number(RENEW_DEADLINE);
        long retry = r.number(RETRY_PERIOD);
        String v = cluster.get();
        if (v.equals("kubernetes")) {
            if (renew >= lease) {
                throw new SettingsException(RENEW_DEADLINE, renew + " ms is not shorter than " + LEASE_DURATION + " (" + lease
                        + " ms): a leader must give up before its Lease can go to another replica");
            }
            return Optional.of(new ClusterSettings("kubernetes", null, r.optional(NAMESPACE).orElse(null), lease, renew, retry));
        }
        // the schema admits file:<folder> and kubernetes only
        return Optional.of(new ClusterSettings("file", Path.of(v.substring("file:".length())), null, lease, renew, retry));
    }

    /** The longest a route stays without a replica when its leader dies without a word (kill -9, a host gone). */
    public long takeoverBoundMs() {
        return kind.equals("file") ? FILE_HEARTBEAT_PERIODS * retryPeriodMs + retryPeriodMs + 1000
                : leaseDurationMs + retryPeriodMs + 1000;
    }

    @Override
    public String toString() {
        return kind.equals("file") ? "file lock in " + folder.toAbsolutePath().normalize() + ", retry period " + retryPeriodMs + " ms"
                : "Kubernetes Leases in " + (namespace == null ? "the pod's namespace" : "namespace " + namespace) + ", lease "
                        + leaseDurationMs + " ms, renew deadline " + renewDeadlineMs + " ms, retry period " + retryPeriodMs + " ms";
    }
}
