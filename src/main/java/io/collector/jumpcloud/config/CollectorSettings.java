package io.collector.jumpcloud.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The collector's settings, read through Camel's properties component so that
 * {@code application.properties}, {@code -Dname=value} and {@code NAME_IN_UPPER_SNAKE} all work,
 * and checked once at start so a mistake is reported with the setting's name before anything runs.
 */
public final class CollectorSettings {
    public static final String API_KEY = "jumpcloud.api-key";
    public static final String ORG_ID = "jumpcloud.org-id";
    public static final String BASE_URL = "jumpcloud.base-url";
    public static final String SERVICES = "jumpcloud.services";
    public static final String HISTORIC_DATE = "jumpcloud.historic-date-utc";
    public static final String POLL_INTERVAL = "jumpcloud.poll-interval";
    public static final String PAGE_SIZE = "jumpcloud.page-size";
    public static final String MAX_RETRIES = "jumpcloud.max-retries";
    public static final String RETRY_DELAY = "jumpcloud.retry-delay";
    public static final String RETRY_MAX_DELAY = "jumpcloud.retry-max-delay";
    public static final String STATE_DIR = "collector.state-dir";
    public static final String DEDUP_CACHE = "collector.dedup-cache-size";
    public static final String HOSTNAME = "devo.hostname";
    public static final String DEVO_HOST = "devo.host";
    public static final String DEVO_PORT = "devo.port";
    public static final String CERT_FILE = "devo.tls.cert-file";
    public static final String KEY_FILE = "devo.tls.key-file";
    public static final String KEY_PASSWORD = "devo.tls.key-password";
    public static final String CA_FILE = "devo.tls.ca-file";
    public static final String HOSTNAME_VERIFICATION = "devo.tls.hostname-verification";
    public static final String FALLBACK_TABLE = "devo.table.fallback";
    public static final String TABLE_PREFIX = "devo.table.";

    /** The services the reference collector knows, each with its own Devo table, plus {@code all}. */
    public static final List<String> SERVICE_NAMES =
            List.of("directory", "systems", "sso", "radius", "ldap", "mdm", "all");

    public static final DateTimeFormatter HISTORIC_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final String apiKey;
    private final String orgId;
    private final URI baseUrl;
    private final List<String> services;
    private final Instant historicDate;
    private final long pollIntervalMs;
    private final int pageSize;
    private final int maxRetries;
    private final long retryDelayMs;
    private final long retryMaxDelayMs;
    private final Path stateDir;
    private final int dedupCacheSize;
    private final String hostname;
    private final String devoHost;
    private final int devoPort;
    private final Path certFile;
    private final Path keyFile;
    private final String keyPassword;
    private final Path caFile;
    private final boolean hostnameVerification;
    private final Map<String, String> tables;
    private final String fallbackTable;

    private CollectorSettings(Function<String, Optional<String>> source, Clock clock) {
        Reader r = new Reader(source);
        apiKey = r.required(API_KEY, "the API key of a JumpCloud administrator (JumpCloud console > API Settings); set it in application.properties, with -D" + API_KEY + "=... or JUMPCLOUD_API_KEY");
        orgId = r.optional(ORG_ID).orElse(null);
        baseUrl = r.url(BASE_URL, "https://api.jumpcloud.com");
        services = r.services();
        Instant now = clock.instant();
        historicDate = r.historicDate(now);
        pollIntervalMs = r.longInRange(POLL_INTERVAL, 60000, 1, Long.MAX_VALUE, "milliseconds between two pulls of a service");
        pageSize = (int) r.longInRange(PAGE_SIZE, 10000, 1, 10000, "events per page; JumpCloud allows 1 to 10000");
        maxRetries = (int) r.longInRange(MAX_RETRIES, 5, 0, 100, "times a failed request (429, 5xx, network, broken page) is retried within a pull");
        retryDelayMs = r.longInRange(RETRY_DELAY, 1000, 1, 3_600_000, "milliseconds before the first retry, doubled at each next one");
        retryMaxDelayMs = r.longInRange(RETRY_MAX_DELAY, 60000, 1, 3_600_000, "the longest wait between two retries, Retry-After included");
        stateDir = Path.of(r.optional(STATE_DIR).orElse("./state"));
        dedupCacheSize = (int) r.longInRange(DEDUP_CACHE, 100000, 1000, 10_000_000, "event ids remembered per service to drop duplicates");
        hostname = r.optional(HOSTNAME).orElseGet(CollectorSettings::localHostname);
        if (hostname.chars().anyMatch(Character::isWhitespace)) {
            throw new SettingsException(HOSTNAME, "must not contain spaces: it is the HOSTNAME field of the syslog line");
        }
        devoHost = r.optional(DEVO_HOST).orElse(null);
        devoPort = (int) r.longInRange(DEVO_PORT, 443, 1, 65535, "the Devo relay's TCP port");
        hostnameVerification = Boolean.parseBoolean(r.optional(HOSTNAME_VERIFICATION).orElse("true"));
        if (devoHost != null) {
            certFile = Path.of(r.required(CERT_FILE, "the client certificate PEM file from Devo (Administration > Credentials > X.509), e.g. domain.crt"));
            keyFile = Path.of(r.required(KEY_FILE, "the private key PEM file from Devo, e.g. domain.key"));
            caFile = Path.of(r.required(CA_FILE, "the CA chain PEM file from Devo, e.g. chain.crt"));
        } else {
            certFile = r.optional(CERT_FILE).map(Path::of).orElse(null);
            keyFile = r.optional(KEY_FILE).map(Path::of).orElse(null);
            caFile = r.optional(CA_FILE).map(Path::of).orElse(null);
        }
        keyPassword = r.optional(KEY_PASSWORD).orElse(null);
        tables = new LinkedHashMap<>();
        tables.put("directory", r.optional(TABLE_PREFIX + "directory").orElse("auth.jumpcloud.directory.events"));
        tables.put("systems", r.optional(TABLE_PREFIX + "systems").orElse("auth.jumpcloud.system.events"));
        tables.put("sso", r.optional(TABLE_PREFIX + "sso").orElse("auth.jumpcloud.sso.events"));
        tables.put("radius", r.optional(TABLE_PREFIX + "radius").orElse("auth.jumpcloud.radius.events"));
        tables.put("ldap", r.optional(TABLE_PREFIX + "ldap").orElse("auth.jumpcloud.ldap.events"));
        tables.put("mdm", r.optional(TABLE_PREFIX + "mdm").orElse("auth.jumpcloud.mdm.events"));
        fallbackTable = r.optional(FALLBACK_TABLE).orElse("auth.jumpcloud.other.events");
        for (Map.Entry<String, String> t : tables.entrySet()) {
            checkTable(TABLE_PREFIX + t.getKey(), t.getValue());
        }
        checkTable(FALLBACK_TABLE, fallbackTable);
    }

    /** Reads and checks every setting; throws {@link SettingsException} naming the first bad one. */
    public static CollectorSettings from(Function<String, Optional<String>> source, Clock clock) {
        return new CollectorSettings(source, clock);
    }

    private static void checkTable(String setting, String table) {
        if (!table.matches("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+){3,}")) {
            throw new SettingsException(setting, "'" + table + "' is not a Devo table: dot-separated words, at least four, e.g. auth.jumpcloud.directory.events");
        }
    }

    private static String localHostname() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "jumpcloud-collector";
        }
    }

    /** Small parsing helpers, each failing with the setting's name and what is expected. */
    private static final class Reader {
        private final Function<String, Optional<String>> source;

        Reader(Function<String, Optional<String>> source) {
            this.source = source;
        }

        Optional<String> optional(String name) {
            return source.apply(name).map(String::trim).filter(v -> !v.isEmpty());
        }

        String required(String name, String what) {
            return optional(name).orElseThrow(() -> new SettingsException(name, "is required: " + what));
        }

        URI url(String name, String dflt) {
            String v = optional(name).orElse(dflt);
            try {
                URI u = new URI(v);
                if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null) {
                    throw new SettingsException(name, "'" + v + "' is not an http(s) URL, e.g. https://api.jumpcloud.com");
                }
                return URI.create(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
            } catch (java.net.URISyntaxException e) {
                throw new SettingsException(name, "'" + v + "' is not a URL, e.g. https://api.jumpcloud.com");
            }
        }

        long longInRange(String name, long dflt, long min, long max, String what) {
            String v = optional(name).orElse(null);
            if (v == null) {
                return dflt;
            }
            try {
                long n = Long.parseLong(v);
                if (n < min || n > max) {
                    throw new SettingsException(name, "'" + v + "' is out of range " + min + ".." + (max == Long.MAX_VALUE ? "" : max) + " (" + what + ")");
                }
                return n;
            } catch (NumberFormatException e) {
                throw new SettingsException(name, "'" + v + "' is not a whole number (" + what + ")");
            }
        }

        List<String> services() {
            String v = optional(SERVICES).orElse("all");
            Set<String> out = new LinkedHashSet<>();
            for (String s : v.split(",")) {
                String name = s.trim().toLowerCase(java.util.Locale.ROOT);
                if (name.isEmpty()) {
                    continue;
                }
                if (!SERVICE_NAMES.contains(name)) {
                    throw new SettingsException(SERVICES, "unknown service '" + s.trim() + "'; choose from " + String.join(",", SERVICE_NAMES));
                }
                out.add(name);
            }
            if (out.isEmpty()) {
                throw new SettingsException(SERVICES, "lists no service; choose from " + String.join(",", SERVICE_NAMES));
            }
            if (out.contains("all") && out.size() > 1) {
                // JumpCloud's "all" already returns every other service: both would double events.
                throw new SettingsException(SERVICES, "'all' already includes " + String.join(",", out.stream().filter(x -> !x.equals("all")).toList()) + ": use either 'all' or a list of services, not both");
            }
            return List.copyOf(out);
        }

        Instant historicDate(Instant now) {
            String v = optional(HISTORIC_DATE).orElse(null);
            if (v == null) {
                return now.minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
            }
            Instant t;
            try {
                t = LocalDateTime.parse(v, HISTORIC_FORMAT).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new SettingsException(HISTORIC_DATE, "'" + v + "' does not match the format yyyy-MM-dd HH:mm:ss (UTC), e.g. 2026-01-31 23:00:00");
            }
            if (t.isAfter(now)) {
                throw new SettingsException(HISTORIC_DATE, "'" + v + "' is later than now (" + HISTORIC_FORMAT.format(now.atOffset(ZoneOffset.UTC)) + " UTC): it is where the first pull starts");
            }
            return t;
        }
    }

    public String apiKey() { return apiKey; }
    public Optional<String> orgId() { return Optional.ofNullable(orgId); }
    public URI baseUrl() { return baseUrl; }
    public List<String> services() { return services; }
    public Instant historicDate() { return historicDate; }
    public long pollIntervalMs() { return pollIntervalMs; }
    public int pageSize() { return pageSize; }
    public int maxRetries() { return maxRetries; }
    public long retryDelayMs() { return retryDelayMs; }
    public long retryMaxDelayMs() { return retryMaxDelayMs; }
    public Path stateDir() { return stateDir; }
    public int dedupCacheSize() { return dedupCacheSize; }
    public String hostname() { return hostname; }
    public boolean dryRun() { return devoHost == null; }
    public String devoHost() { return devoHost; }
    public int devoPort() { return devoPort; }
    public Path certFile() { return certFile; }
    public Path keyFile() { return keyFile; }
    public Optional<String> keyPassword() { return Optional.ofNullable(keyPassword); }
    public Path caFile() { return caFile; }
    public boolean hostnameVerification() { return hostnameVerification; }
    public Map<String, String> tables() { return tables; }
    public String fallbackTable() { return fallbackTable; }

    /** Settings without secrets, for the start-up log line. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>(Arrays.asList(
                "services=" + String.join(",", services),
                "baseUrl=" + baseUrl,
                "orgId=" + (orgId == null ? "-" : orgId),
                "historicDateUtc=" + HISTORIC_FORMAT.format(historicDate.atOffset(ZoneOffset.UTC)),
                "pollInterval=" + pollIntervalMs + "ms",
                "pageSize=" + pageSize,
                "stateDir=" + stateDir.toAbsolutePath().normalize(),
                "devo=" + (dryRun() ? "dry run (standard output)" : devoHost + ":" + devoPort)));
        return String.join(", ", parts);
    }
}
