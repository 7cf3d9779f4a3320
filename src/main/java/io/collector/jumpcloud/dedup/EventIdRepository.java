package io.collector.jumpcloud.dedup;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The idempotent repository of the routes: one bounded {@link SeenIds} per route, chosen by the
 * exchange property {@value #PARTITION} that the pull sets, so that one service's page rollback or
 * cache size never touches another's. Lookups are O(1) in memory; nothing scans a file per id.
 */
public final class EventIdRepository extends ServiceSupport implements IdempotentRepository {
    public static final String PARTITION = "jumpcloudPartition";
    private static final String DEFAULT = "default";

    private final int capacity;
    private final Map<String, SeenIds> partitions = new ConcurrentHashMap<>();

    public EventIdRepository(int capacity) {
        this.capacity = capacity;
    }

    public SeenIds partition(String name) {
        return partitions.computeIfAbsent(name, n -> new SeenIds(capacity));
    }

    private SeenIds partition(Exchange exchange) {
        String p = exchange == null ? null : exchange.getProperty(PARTITION, String.class);
        return partition(p == null ? DEFAULT : p);
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        return partition(exchange).add(key);
    }

    @Override
    public boolean contains(Exchange exchange, String key) {
        return partition(exchange).contains(key);
    }

    @Override
    public boolean remove(Exchange exchange, String key) {
        return partition(exchange).remove(key);
    }

    @Override
    public boolean confirm(Exchange exchange, String key) {
        return true;
    }

    @Override
    public boolean add(String key) {
        return add(null, key);
    }

    @Override
    public boolean contains(String key) {
        return contains(null, key);
    }

    @Override
    public boolean remove(String key) {
        return remove(null, key);
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        partitions.values().forEach(SeenIds::clear);
    }
}
