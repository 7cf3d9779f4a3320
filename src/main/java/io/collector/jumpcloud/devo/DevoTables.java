package io.collector.jumpcloud.devo;

import io.collector.jumpcloud.config.DevoTableSettings;
import io.collector.jumpcloud.observe.LogSafe;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Table lookup behind the route's content-based router: the routes name the six reference tables
 * themselves; any other service (JumpCloud keeps adding them) lands here and goes to its table from
 * the settings ({@code devo.table.<service>}, all read at start into one map) or to the fallback
 * table, counted and logged once per service, never dropped.
 *
 * <p>An event's service is data, never configuration: it is only ever a key of that map, never
 * part of a setting's name, a placeholder or an expression. A service that is not a plain name goes
 * to the fallback table as {@value #OTHER}; so do services beyond the first {@value #MAX_TRACKED}
 * unknown ones, so no event data can grow the log, the metrics or memory without bound.
 */
public final class DevoTables {
    private static final Logger LOG = LoggerFactory.getLogger(DevoTables.class);
    /** How a service appears in metrics and logs when it is not tracked by its name. */
    public static final String OTHER = "other";
    /** Distinct unknown services tracked by name; the rest count as {@value #OTHER}. */
    public static final int MAX_TRACKED = 50;
    private static final Pattern PLAIN = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private final Map<String, String> tables;
    private final String fallback;
    private final LongAdder fallbackEvents = new LongAdder();
    private final Set<String> tracked = ConcurrentHashMap.newKeySet();
    private volatile boolean overflowSaid;
    /** Table names a route's header named that passed the check (bounded: names built from data are checked each time). */
    private final Set<String> validTables = ConcurrentHashMap.newKeySet();
    private final Set<String> badTablesSaid = ConcurrentHashMap.newKeySet();
    private static final int MAX_VALID_TABLES = 1024;

    /** @param tables every service's table from the settings (the reference six and each devo.table.<service> set) */
    public DevoTables(Map<String, String> tables, String fallback) {
        this.tables = Map.copyOf(tables);
        this.fallback = fallback;
        validTables.addAll(this.tables.values());
        validTables.add(fallback);
    }

    /** The table of an event of {@code service} (the route's service header: bound by name, never evaluated). */
    public String tableFor(@org.apache.camel.Header(io.collector.jumpcloud.source.EventHeaders.SERVICE) String service) {
        String t = service == null ? null : tables.get(service);
        if (t != null) {
            return t;
        }
        fallbackEvents.increment();
        boolean known = service == null || tracked.contains(service);
        String name = label(service); // tracks a plain name while there is room
        if (!known && name.equals(service)) {
            LOG.warn("Events of service '{}' have no Devo table of their own: sending them to the fallback table {} "
                    + "(set devo.table.{} to choose one)", service, fallback, service);
        } else if (service == null && tracked.add("")) {
            LOG.warn("Events without a service field go to the fallback table {} (devo.table.fallback)", fallback);
        } else if (!name.equals(service) && service != null && !overflowSaid) {
            overflowSaid = true;
            LOG.warn("Events of a service named '{}' go to the fallback table {}; services that are not plain names, or beyond "
                    + "the first {} without a table, are counted as '{}' from now on", LogSafe.text(service, 80), fallback,
                    MAX_TRACKED, OTHER);
        }
        return fallback;
    }

    /**
     * The service as metrics and logs may name it: itself when it has a table or is one of the first
     * {@value #MAX_TRACKED} plain names without one, "" for none, else {@value #OTHER}.
     */
    public String label(String service) {
        if (service == null) {
            return "";
        }
        if (tables.containsKey(service) || tracked.contains(service)) {
            return service;
        }
        if (PLAIN.matcher(service).matches()) {
            // tracked here, whoever asks first (a route may send to the fallback table itself): never more than the bound
            synchronized (tracked) {
                if (tracked.size() < MAX_TRACKED) {
                    tracked.add(service);
                    return service;
                }
            }
        }
        return OTHER;
    }

    /**
     * The table a route's {@code DevoTable} header names, when it is a Devo table name (dot-separated
     * words, at least four): a hand-edited route may build it from an event's field, and a line feed
     * or a space in it would forge or break the syslog line. Else the fallback table, said in the log
     * for the first names ({@value #MAX_TRACKED}), never dropped.
     */
    public String checkedTable(String table) {
        if (validTables.contains(table)) {
            return table;
        }
        if (DevoTableSettings.isTable(table)) {
            if (validTables.size() < MAX_VALID_TABLES) {
                validTables.add(table);
            }
            return table;
        }
        String shown = LogSafe.text(table, 120); // kept as said: a name built from data may be of any length
        if (badTablesSaid.size() < MAX_TRACKED && badTablesSaid.add(shown)) {
            LOG.warn("A route named the Devo table '{}' (its DevoTable header), which is not a Devo table name (dot-separated words, "
                    + "at least four): its events go to the fallback table {}", shown, fallback);
        }
        return fallback;
    }

    /**
     * Whether an event of {@code service} given {@code table} went to the fallback table (and not to a
     * table of its own that happens to be the same): the metrics count these per route.
     */
    public boolean isFallback(String table, String service) {
        return fallback.equals(table) && (service == null || !tables.containsKey(service));
    }

    public String fallbackTable() {
        return fallback;
    }

    public long fallbackEvents() {
        return fallbackEvents.sum();
    }
}
