package io.collector.jumpcloud.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A setting in the collector's namespaces ({@code jumpcloud.*}, {@code collector.*}, {@code devo.*})
 * that the collector does not know is a typo that would otherwise be ignored silently (the default
 * runs instead): it stops the start, naming where it came from and the nearest known setting.
 */
public final class UnknownSettings {
    private static final List<String> NAMESPACES = List.of("jumpcloud.", "collector.", "devo.");
    private static final List<String> ENV_NAMESPACES = List.of("JUMPCLOUD_", "COLLECTOR_", "DEVO_");
    /**
     * Variables Kubernetes adds for each service of the namespace (a service named devo-relay gives
     * DEVO_RELAY_SERVICE_HOST, DEVO_RELAY_PORT_443_TCP_ADDR, ...): not settings, never refused.
     */
    private static final Pattern KUBERNETES_SERVICE_VARIABLE =
            Pattern.compile(".*_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_[0-9]+_(TCP|UDP|SCTP)(_(ADDR|PORT|PROTO))?)?)");

    private UnknownSettings() {
    }

    /**
     * Checks the names given: {@code properties} maps each property name (files, the application's
     * own, -D) to where it came from; {@code environment} is the process environment.
     */
    public static void check(Map<String, String> properties, Map<String, String> environment) {
        for (Map.Entry<String, String> p : properties.entrySet()) {
            String name = p.getKey();
            if (NAMESPACES.stream().anyMatch(name::startsWith) && !known(name)) {
                throw new SettingsException(name, "is not a setting of the collector (" + p.getValue() + ")" + suggestion(name)
                        + "; java -jar jumpcloud-devo-collector.jar --help lists them all");
            }
        }
        Map<String, String> envNames = new LinkedHashMap<>();
        SettingsSchema.all().forEach(n -> envNames.put(SettingsDocs.envName(n), n));
        for (String variable : environment.keySet().stream().sorted().toList()) {
            if (ENV_NAMESPACES.stream().noneMatch(variable::startsWith) || envNames.containsKey(variable)
                    || variable.startsWith("DEVO_TABLE_") || KUBERNETES_SERVICE_VARIABLE.matcher(variable).matches()) {
                continue;
            }
            String nearest = nearest(variable, envNames.keySet()).map(v -> ": did you mean " + v + " (" + envNames.get(v) + ")?")
                    .orElse("");
            throw new SettingsException(variable, "is not a setting of the collector (an environment variable)" + nearest
                    + "; java -jar jumpcloud-devo-collector.jar --help lists them all");
        }
    }

    static boolean known(String name) {
        if (SettingsSchema.all().contains(name)) {
            return true;
        }
        // devo.table.<a service JumpCloud added later>
        return name.startsWith(DevoTableSettings.PREFIX)
                && DevoTableSettings.SERVICE_NAME.matcher(name.substring(DevoTableSettings.PREFIX.length())).matches();
    }

    private static String suggestion(String name) {
        return nearest(name, SettingsSchema.all()).map(n -> ": did you mean " + n + "?").orElse("");
    }

    /**
     * The known name nearest to {@code typo}, if near enough to be what was meant: compared without
     * case and separators (pagesize is page-size), a name it begins (DEVO_TLS_CERT for
     * DEVO_TLS_CERT_FILE), else by edit distance.
     */
    static Optional<String> nearest(String typo, Iterable<String> names) {
        String t = plain(typo);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String n : names) {
            String p = plain(n);
            int d = p.equals(t) ? 0 : p.startsWith(t) || t.startsWith(p) ? 1 : 2 + distance(t, p);
            if (d < bestDistance) {
                best = n;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= 2 + Math.max(2, t.length() / 6) ? Optional.of(best) : Optional.empty();
    }

    private static String plain(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[._-]", "");
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
