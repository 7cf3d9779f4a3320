package io.collector.jumpcloud.config;

import static io.collector.jumpcloud.config.CollectorSettings.HISTORIC_DATE;
import static io.collector.jumpcloud.config.CollectorSettings.HISTORIC_FORMAT;
import static io.collector.jumpcloud.config.CollectorSettings.SERVICES;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads settings the schema already accepted (type, range, pattern), with their defaults from the
 * schema; what the schema cannot say fails here, with the setting's name and what is expected.
 */
final class SettingsReader {

    private final Function<String, Optional<String>> source;

    SettingsReader(Function<String, Optional<String>> source) {
        this.source = source;
    }

    Optional<String> optional(String name) {
        return source.apply(name).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** A setting the schema requires: it is there. */
    String required(String name) {
        return optional(name).orElseThrow(() -> new SettingsException(name, "is required (InitVariablesError 1)"));
    }

    /**
     * A URL the schema accepted: scheme and host, no trailing slash. Plain http only to this
     * machine (a local simulator or test double): elsewhere the API key would cross the network in clear.
     */
    URI url(String name, String dflt) {
        String v = optional(name).orElse(dflt);
        URI u = URI.create(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
        if ("http".equalsIgnoreCase(u.getScheme()) && !CollectorSettings.isLoopback(u.getHost())) {
            throw new SettingsException(name, "'" + v + "' is plain http to another machine: the API key would cross the network "
                    + "unencrypted (InitVariablesError 3). Use https://; plain http is accepted for this machine only (127.0.0.1, "
                    + "localhost, ::1)");
        }
        return u;
    }

    /** A whole number the schema accepted (type and range), or its default there. */
    long number(String name) {
        return optional(name).map(Long::parseLong).orElseGet(() -> Long.parseLong(SettingsSchema.defaultValue(name)));
    }

    /** A text setting, or its default in the schema. */
    String text(String name) {
        return optional(name).orElseGet(() -> SettingsSchema.defaultValue(name));
    }

    List<String> list(String name) {
        List<String> out = new ArrayList<>();
        optional(name).ifPresent(v -> {
            for (String s : v.split(",")) {
                if (!out.contains(s.trim())) {
                    out.add(s.trim());
                }
            }
        });
        return List.copyOf(out);
    }

    List<String> services() {
        String v = text(SERVICES);
        Set<String> out = new LinkedHashSet<>();
        for (String s : v.split(",")) {
            // each name here, not by one pattern over the list (a regex group repeated per item overflows the stack)
            if (!s.trim().matches("[a-z][a-z0-9_]*")) {
                throw new SettingsException(SERVICES, "'" + s.trim() + "' is not valid (InitVariablesError 3): expected a JumpCloud service "
                        + "(all, directory, systems, sso, radius, ldap, mdm, ...), or a comma list of them, e.g. directory,sso");
            }
            out.add(s.trim());
        }
        if (out.contains("all") && out.size() > 1) {
            // JumpCloud's "all" already returns every other service: both would double events.
            throw new SettingsException(SERVICES, "(InitVariablesError 3) 'all' already includes " + String.join(",", out.stream().filter(x -> !x.equals("all")).toList()) + ": use either 'all' or a list of services, not both");
        }
        return List.copyOf(out);
    }

    Instant historicDate(Instant now) {
        String v = optional(HISTORIC_DATE).orElse(null);
        if (v == null) {
            return now.minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        }
        Instant t = CollectorSettings.parseStart(v);
        if (t == null) {
            throw new SettingsException(HISTORIC_DATE, "'" + v + "' is not a date in the format yyyy-MM-dd HH:mm:ss (UTC) or RFC 3339 "
                    + "(InitVariablesError 11), e.g. 2026-01-31 23:00:00 or 2026-01-31T23:00:00Z");
        }
        if (t.isAfter(now)) {
            throw new SettingsException(HISTORIC_DATE, "'" + v + "' is later than now (InitVariablesError 12; now is " + HISTORIC_FORMAT.format(now.atOffset(ZoneOffset.UTC)) + " UTC): it is where the first pull starts");
        }
        return t;
    }
}
