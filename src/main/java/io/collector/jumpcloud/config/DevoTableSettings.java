package io.collector.jumpcloud.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/**
 * The Devo table of each JumpCloud service (devo.table.&lt;service&gt;). The services are the schema's
 * devo.table.* settings: one with a default there has a table of its own out of the box (a
 * first-class service); the others go to devo.table.fallback unless set. Adding a service is one
 * entry in the schema.
 */
public final class DevoTableSettings {
    static final String PREFIX = CollectorSettings.TABLE_PREFIX;
    static final List<String> KNOWN_SERVICES = StreamSupport.stream(SettingsSchema.names().spliterator(), false)
            .filter(n -> n.startsWith(PREFIX) && !n.equals(CollectorSettings.FALLBACK_TABLE))
            .map(n -> n.substring(PREFIX.length()))
            .toList();
    /** A JumpCloud service's name as a setting may carry it. */
    static final Pattern SERVICE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern TABLE = Pattern.compile("^[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+){3,}$");

    private DevoTableSettings() {
    }

    /** The tables: first-class services' (set or default), the others' set ones, newer services' set ones. */
    static Map<String, String> read(SettingsReader r, List<String> services, Collection<String> names) {
        Map<String, String> tables = new LinkedHashMap<>();
        for (String service : KNOWN_SERVICES) {
            if (SettingsSchema.defaultValue(PREFIX + service) != null) {
                tables.put(service, r.text(PREFIX + service));
            } else {
                r.optional(PREFIX + service).ifPresent(t -> tables.put(service, t));
            }
        }
        // a newer service named in jumpcloud.services: its devo.table.<service>, checked as the schema checks tables
        for (String service : services) {
            if (!tables.containsKey(service) && !"all".equals(service)) {
                r.optional(PREFIX + service).ifPresent(t -> tables.put(service, checked(PREFIX + service, t)));
            }
        }
        // every other devo.table.<service> given (a service JumpCloud added later, seen in the events of all): read
        // now, once, into the map; an event's service is never turned into a setting's name
        for (String name : names) {
            if (name.startsWith(PREFIX) && !name.equals(CollectorSettings.FALLBACK_TABLE)) {
                String service = name.substring(PREFIX.length());
                if (!tables.containsKey(service) && SERVICE_NAME.matcher(service).matches()) {
                    r.optional(name).ifPresent(t -> tables.put(service, checked(name, t)));
                }
            }
        }
        return tables;
    }

    /** Whether {@code value} is a Devo table name: dot-separated words, at least four. */
    public static boolean isTable(String value) {
        return value != null && TABLE.matcher(value).matches();
    }

    static String checked(String setting, String value) {
        if (!TABLE.matcher(value).matches()) {
            throw new SettingsException(setting, "'" + value + "' is not valid (InitVariablesError 3): expected a Devo table: "
                    + "dot-separated words, at least four, e.g. auth.jumpcloud.directory.events");
        }
        return value;
    }
}
