package io.collector.jumpcloud.observe;

/**
 * Which routes this process pulls, when it is one of several replicas (collector.cluster): health
 * judges only the routes it leads, and says which ones.
 */
public interface Leadership {
    /** This replica's name (devo.hostname). */
    String replica();

    /** Whether this replica leads the route of the service and organization (null: none). */
    boolean leads(String service, String org);
}
