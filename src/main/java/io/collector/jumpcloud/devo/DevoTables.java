package io.collector.jumpcloud.devo;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Table lookup behind the route's content-based router: the routes name the six reference tables
 * themselves; any other service (JumpCloud keeps adding them) lands here and goes to a configured
 * table or the fallback table, counted and logged once per service, never dropped.
 */
public final class DevoTables {
    private static final Logger LOG = LoggerFactory.getLogger(DevoTables.class);

    private final Map<String, String> tables;
    private final String fallback;
    private final LongAdder fallbackEvents = new LongAdder();
    private final Map<String, Boolean> warned = new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.function.Function<String, java.util.Optional<String>> setting;
    private final Map<String, String> found = new java.util.concurrent.ConcurrentHashMap<>();

    public DevoTables(Map<String, String> tables, String fallback) {
        this(tables, fallback, s -> java.util.Optional.empty());
    }

    /**
     * @param setting reads {@code devo.table.<service>} for a service first seen in the events of
     *                {@code all} (JumpCloud added it after the start): a table set for it is used
     */
    public DevoTables(Map<String, String> tables, String fallback, java.util.function.Function<String, java.util.Optional<String>> setting) {
        this.tables = Map.copyOf(tables);
        this.fallback = fallback;
        this.setting = setting;
    }

    public String tableFor(String service) {
        String t = service == null ? null : tables.get(service);
        if (t != null) {
            return t;
        }
        if (service != null) {
            t = found.computeIfAbsent(service, this::configured);
            if (!t.isEmpty()) {
                return t;
            }
        }
        fallbackEvents.increment();
        if (warned.putIfAbsent(String.valueOf(service), Boolean.TRUE) == null) {
            if (service == null) {
                LOG.warn("Events without a service field go to the fallback table {} (devo.table.fallback)", fallback);
            } else {
                LOG.warn("Events of service '{}' have no Devo table of their own: sending them to the fallback table {} "
                        + "(set devo.table.{} to choose one)", service, fallback, service);
            }
        }
        return fallback;
    }

    /** devo.table.<service> of a service not known at start, checked; "" when it has none (or a bad one, logged). */
    private String configured(String service) {
        String name = io.collector.jumpcloud.config.CollectorSettings.TABLE_PREFIX + service;
        try {
            return setting.apply(name).map(v -> io.collector.jumpcloud.config.CollectorSettings.checkedTable(name, v.trim())).orElse("");
        } catch (RuntimeException e) {
            LOG.error("{}: events of service '{}' go to the fallback table {} instead", e.getMessage(), service, fallback);
            return "";
        }
    }

    /**
     * Whether an event of {@code service} given {@code table} went to the fallback table (and not to a
     * table of its own that happens to be the same): the metrics count these per route.
     */
    public boolean isFallback(String table, String service) {
        if (!fallback.equals(table)) {
            return false;
        }
        return service == null || !tables.containsKey(service) && found.getOrDefault(service, "").isEmpty();
    }

    public String fallbackTable() {
        return fallback;
    }

    public long fallbackEvents() {
        return fallbackEvents.sum();
    }
}
