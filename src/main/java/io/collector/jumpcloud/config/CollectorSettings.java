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
    public static final String ORGS_PER_REQUEST = "jumpcloud.orgs-per-request";
    public static final String BASE_URL = "jumpcloud.base-url";
    public static final String REGION = "jumpcloud.region";
    public static final String LAG = "jumpcloud.lag-seconds";
    public static final String COUNT_CHECK_WINDOW = "jumpcloud.count-check-window-seconds";
    public static final String MAX_REQUESTS_PER_SECOND = "jumpcloud.max-requests-per-second";
    public static final String SERVICES = "jumpcloud.services";
    public static final String HISTORIC_DATE = "jumpcloud.historic-date-utc";
    public static final String POLL_INTERVAL = "jumpcloud.poll-interval";
    public static final String PAGE_SIZE = "jumpcloud.page-size";
    public static final String MAX_RETRIES = "jumpcloud.max-retries";
    public static final String RETRY_DELAY = "jumpcloud.retry-delay";
    public static final String RETRY_MAX_DELAY = "jumpcloud.retry-max-delay";
    public static final String REQUEST_TIMEOUT = "jumpcloud.request-timeout";
    public static final String PROXY_URL = "jumpcloud.proxy-url";
    public static final String MAX_PAGE_BYTES = "jumpcloud.max-page-bytes";
    public static final String MAX_LINE_BYTES = "devo.max-line-bytes";
    public static final String WRITE_TIMEOUT = "devo.write-timeout";
    public static final String STATE_DIR = "collector.state-dir";
    public static final String DEDUP_CACHE = "collector.dedup-cache-size";
    public static final String PROGRESS_INTERVAL = "collector.progress-log-interval";
    public static final String MAX_PAGES_IN_MEMORY = "collector.max-pages-in-memory";
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

    /**
     * Every service JumpCloud lists today (OpenAPI enum of Nov 2025, plus workflows from its own exporter):
     * the schema's devo.table.&lt;service&gt; settings, the one place a service is added.
     */
    public static final List<String> KNOWN_SERVICES = DevoTableSettings.KNOWN_SERVICES;
    /** The region's API host; jumpcloud.base-url wins when set. */
    static final Map<String, String> REGION_URLS = Map.of("us", "https://api.jumpcloud.com",
            "eu", "https://api.eu.jumpcloud.com", "in", "https://api.in.jumpcloud.com");

    public static final DateTimeFormatter HISTORIC_FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
            .withResolverStyle(java.time.format.ResolverStyle.STRICT);

    private final String apiKey;
    private final List<String> orgIds;
    private final int orgsPerRequest;
    private final String region;
    private final long lagSeconds;
    private final long countCheckWindowSeconds;
    private final double maxRequestsPerSecond;
    private final URI baseUrl;
    private final ProxySetting proxy;
    private final List<String> services;
    private final Instant historicDate;
    private final boolean historicDateGiven;
    private final long pollIntervalMs;
    private final int pageSize;
    private final int maxRetries;
    private final long retryDelayMs;
    private final long retryMaxDelayMs;
    private final long requestTimeoutMs;
    private final long maxPageBytesSetting;
    private final long maxPageBytes;
    private final int maxLineBytes;
    private final long writeTimeoutMs;
    private final Path stateDir;
    private final ClusterSettings cluster;
    private final int dedupCacheSize;
    private final int maxPagesInMemory;
    private final long progressIntervalMs;
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

    private CollectorSettings(Function<String, Optional<String>> source, java.util.Collection<String> names, Clock clock) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String name : SettingsSchema.names()) {
            source.apply(name).map(String::trim).filter(v -> !v.isEmpty()).ifPresent(v -> given.put(name, v));
        }
        SettingsSchema.validate(given);
        SettingsReader r = new SettingsReader(source);
        apiKey = r.required(API_KEY);
        orgIds = r.list(ORG_ID);
        Map<String, String> byLowerCase = new java.util.HashMap<>();
        for (String org : orgIds) {
            // each item here, not by one pattern over the list: a regex group repeated a thousand times overflows the stack
            if (!org.matches("[0-9a-fA-F]{24}")) {
                throw new SettingsException(ORG_ID, "'" + org + "' is not valid (InitVariablesError 3): expected the 24-hex id of an organization, "
                        + "or a comma list of them, e.g. 5bf6defbdcd8233029e0c598,64a1b2c3d4e5f60718293a4b");
            }
            String same = byLowerCase.put(org.toLowerCase(java.util.Locale.ROOT), org);
            if (same != null) {
                // two routes (two state folders) would pull one organization, and send each event twice
                throw new SettingsException(ORG_ID, "'" + same + "' and '" + org + "' are the same organization (InitVariablesError 3): "
                        + "list it once");
            }
        }
        orgsPerRequest = (int) r.number(ORGS_PER_REQUEST);
        region = r.text(REGION);
        baseUrl = r.url(BASE_URL, REGION_URLS.get(region));
        proxy = ProxySetting.choose(r.optional(PROXY_URL), System::getenv, baseUrl).orElse(null);
        lagSeconds = r.number(LAG);
        countCheckWindowSeconds = r.number(COUNT_CHECK_WINDOW);
        maxRequestsPerSecond = Double.parseDouble(r.text(MAX_REQUESTS_PER_SECOND));
        services = r.services();
        Instant now = clock.instant();
        historicDate = r.historicDate(now);
        historicDateGiven = r.optional(HISTORIC_DATE).isPresent();
        pollIntervalMs = r.number(POLL_INTERVAL);
        pageSize = (int) r.number(PAGE_SIZE);
        maxRetries = (int) r.number(MAX_RETRIES);
        retryDelayMs = r.number(RETRY_DELAY);
        retryMaxDelayMs = r.number(RETRY_MAX_DELAY);
        requestTimeoutMs = r.number(REQUEST_TIMEOUT);
        maxPageBytesSetting = r.number(MAX_PAGE_BYTES);
        stateDir = Path.of(r.text(STATE_DIR));
        cluster = ClusterSettings.read(r).orElse(null);
        dedupCacheSize = (int) r.number(DEDUP_CACHE);
        maxPagesInMemory = (int) r.number(MAX_PAGES_IN_MEMORY);
        // every large page body the collector may hold at once must fit the heap: the cap follows it
        long fits = Math.max(1L << 20, (long) (Runtime.getRuntime().maxMemory() * 0.6) / maxPagesInMemory);
        maxPageBytes = Math.min(maxPageBytesSetting, fits);
        maxLineBytes = (int) r.number(MAX_LINE_BYTES);
        writeTimeoutMs = r.number(WRITE_TIMEOUT);
        progressIntervalMs = r.number(PROGRESS_INTERVAL);
        hostname = r.optional(HOSTNAME).orElseGet(CollectorSettings::localHostname);
        devoHost = r.optional(DEVO_HOST).orElse(null);
        devoPort = (int) r.number(DEVO_PORT);
        hostnameVerification = Boolean.parseBoolean(r.text(HOSTNAME_VERIFICATION));
        if (devoHost != null) {
            certFile = Path.of(r.required(CERT_FILE));
            keyFile = Path.of(r.required(KEY_FILE));
            caFile = Path.of(r.required(CA_FILE));
        } else {
            certFile = r.optional(CERT_FILE).map(Path::of).orElse(null);
            keyFile = r.optional(KEY_FILE).map(Path::of).orElse(null);
            caFile = r.optional(CA_FILE).map(Path::of).orElse(null);
        }
        keyPassword = r.optional(KEY_PASSWORD).orElse(null);
        tables = DevoTableSettings.read(r, services, names);
        fallbackTable = r.text(FALLBACK_TABLE);
    }

    /** Reads and checks every setting; throws {@link SettingsException} naming the first bad one. */
    public static CollectorSettings from(Function<String, Optional<String>> source, Clock clock) {
        return new CollectorSettings(source, List.of(), clock);
    }

    /**
     * As {@link #from(Function, Clock)}, with the names of every setting given ({@code names}): the
     * devo.table.&lt;service&gt; of services not named in jumpcloud.services are found among them.
     */
    public static CollectorSettings from(Function<String, Optional<String>> source, java.util.Collection<String> names, Clock clock) {
        return new CollectorSettings(source, names, clock);
    }

    /** A start date as the collector's setting writes it (yyyy-MM-dd HH:mm:ss, UTC) or in RFC 3339; null if neither. */
    public static Instant parseStart(String v) {
        try {
            return LocalDateTime.parse(v.trim(), HISTORIC_FORMAT).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notTheSettingsForm) {
            try {
                return java.time.OffsetDateTime.parse(v.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException notRfc3339) {
                return null;
            }
        }
    }

    /** 127.0.0.0/8, ::1 and localhost, by their text (no name is looked up). */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.equals("::1") || h.matches("127(\\.\\d{1,3}){3}");
    }

    private static String localHostname() {
        String env = System.getenv("HOSTNAME");
        // as devo.hostname must be (RFC 5424's HOSTNAME): anything else in the environment is not used
        if (env != null && env.trim().matches(SettingsSchema.pattern(HOSTNAME))) {
            return env.trim();
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "jumpcloud-collector";
        }
    }

    public String apiKey() { return apiKey; }
    /** The organizations to read (x-org-id), empty for a single-tenant key. */
    public List<String> orgIds() { return orgIds; }
    /** jumpcloud.orgs-per-request: how many organizations one events request names. */
    public int orgsPerRequest() { return orgsPerRequest; }

    /**
     * The organizations as the routes pull them: each alone, or with jumpcloud.orgs-per-request above 1
     * in groups of that many, in the order given, each group's ids joined by commas (one x-org-id each).
     * Empty for a single-tenant key.
     */
    public List<String> orgGroups() {
        List<String> groups = new java.util.ArrayList<>();
        for (int i = 0; i < orgIds.size(); i += orgsPerRequest) {
            groups.add(String.join(",", orgIds.subList(i, Math.min(orgIds.size(), i + orgsPerRequest))));
        }
        return groups;
    }
    public String region() { return region; }
    public long lagSeconds() { return lagSeconds; }
    public long countCheckWindowSeconds() { return countCheckWindowSeconds; }
    public double maxRequestsPerSecond() { return maxRequestsPerSecond; }
    public URI baseUrl() { return baseUrl; }
    /** The HTTP proxy to JumpCloud, from jumpcloud.proxy-url or the environment (curl's variables). */
    public Optional<ProxySetting> proxy() { return Optional.ofNullable(proxy); }
    public List<String> services() { return services; }
    public Instant historicDate() { return historicDate; }
    /** Whether jumpcloud.historic-date-utc was set (else the start is one day ago, for a first start only). */
    public boolean historicDateGiven() { return historicDateGiven; }
    public long pollIntervalMs() { return pollIntervalMs; }
    public int pageSize() { return pageSize; }
    public int maxRetries() { return maxRetries; }
    public long retryDelayMs() { return retryDelayMs; }
    public long retryMaxDelayMs() { return retryMaxDelayMs; }
    /** The longest a JumpCloud request may take, headers and body together. */
    public long requestTimeoutMs() { return requestTimeoutMs; }
    /** jumpcloud.max-page-bytes, lowered when the heap could not hold collector.max-pages-in-memory pages of it. */
    public long maxPageBytes() { return maxPageBytes; }
    /** jumpcloud.max-page-bytes as set (or its default). */
    public long maxPageBytesSetting() { return maxPageBytesSetting; }
    /** The longest Devo line (header, event, LF) sent; a longer event is quarantined. */
    public int maxLineBytes() { return maxLineBytes; }
    /** The longest a write to the Devo relay may take before the connection is closed and the page sent again. */
    public long writeTimeoutMs() { return writeTimeoutMs; }
    public Path stateDir() { return stateDir; }
    /** collector.cluster: this process as one of several replicas; empty when it runs alone. */
    public Optional<ClusterSettings> cluster() { return Optional.ofNullable(cluster); }
    public int dedupCacheSize() { return dedupCacheSize; }

    /** Page bodies all routes together hold at once (each route at most two: the one delivered and the next). */
    public int maxPagesInMemory() { return maxPagesInMemory; }
    public long progressIntervalMs() { return progressIntervalMs; }
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

    /** A Devo table named by a setting the schema does not list (devo.table.<a newer service>), checked as the schema's tables. */
    public static String checkedTable(String setting, String value) {
        return DevoTableSettings.checked(setting, value);
    }
    public String fallbackTable() { return fallbackTable; }

    /** Settings without secrets, for the start-up log line. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>(Arrays.asList(
                "services=" + String.join(",", services),
                "baseUrl=" + baseUrl,
                "proxy=" + (proxy == null ? "none" : proxy),
                "orgIds=" + (orgIds.isEmpty() ? "-" : String.join(",", orgIds)),
                "lag=" + lagSeconds + "s",
                "countCheckWindow=" + (countCheckWindowSeconds == 0 ? "off" : countCheckWindowSeconds + "s"),
                "maxRequestsPerSecond=" + maxRequestsPerSecond,
                "historicDateUtc=" + HISTORIC_FORMAT.format(historicDate.atOffset(ZoneOffset.UTC)),
                "pollInterval=" + pollIntervalMs + "ms",
                "pageSize=" + pageSize,
                "maxPagesInMemory=" + maxPagesInMemory,
                "stateDir=" + stateDir.toAbsolutePath().normalize(),
                "cluster=" + (cluster == null ? "none" : cluster),
                "devo=" + (dryRun() ? "dry run (standard output)" : devoHost + ":" + devoPort)));
        return String.join(", ", parts);
    }
}
