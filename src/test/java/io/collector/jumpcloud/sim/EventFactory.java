package io.collector.jumpcloud.sim;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Makes realistic Directory Insights events from the real samples in {@code shared/jumpcloud-samples}
 * (and, for services without a public sample, from the schema notes of the research doc §7).
 *
 * <p>Only {@code id}, {@code timestamp}, {@code organization} and {@code service} change; every other
 * byte, including key order, comes from the template, so events look like what the API serves.
 * Instances are immutable: {@code with...} returns a configured copy.
 */
public final class EventFactory {

    /** Services that have a real sample; the others are synthesised. */
    public static final List<String> SAMPLE_SERVICES = List.of("directory", "sso", "radius", "mdm");
    /** Organization put into synthesised events when no organization was chosen. */
    public static final String DEFAULT_ORGANIZATION = "5bf6defbdcd8233029e0c598";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter[] FORMATS = new DateTimeFormatter[10];
    private static final DateTimeFormatter SYSTEM_LOCAL = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ZoneOffset DEVICE_OFFSET = ZoneOffset.ofHoursMinutes(9, 30);

    static {
        for (int d = 0; d <= 9; d++) {
            DateTimeFormatterBuilder b = new DateTimeFormatterBuilder()
                    .appendPattern("uuuu-MM-dd'T'HH:mm:ss");
            if (d > 0) {
                b.appendFraction(ChronoField.NANO_OF_SECOND, d, d, true);
            }
            FORMATS[d] = b.appendLiteral('Z').toFormatter().withZone(ZoneOffset.UTC);
        }
    }

    private static final Map<String, Template> SYNTHESISED = new java.util.concurrent.ConcurrentHashMap<>();

    private final List<String> samples;                 // every sample line, verbatim
    private final Map<String, Template> templates;      // service -> smallest sample (fast to serve)
    private final Template large;                       // the largest sample (76 kB MDM ProfileList)
    private final String organization;                  // null = keep the template's
    private final int fractionDigits;                   // -1 = per-service default

    /** Loads the samples from {@link #samplesDir()}. */
    public EventFactory() {
        this(samplesDir());
    }

    /** Loads the samples from {@code dir/*.ndjson}. */
    public EventFactory(Path dir) {
        this.samples = readSamples(dir);
        Map<String, String> smallest = new HashMap<>();
        String largest = null;
        for (String line : samples) {
            String service = SimEvent.of(line).service();
            if (service == null) {
                continue; // the documentation examples carry no service
            }
            smallest.merge(service, line, (a, b) -> a.length() <= b.length() ? a : b);
            if (largest == null || line.length() > largest.length()) {
                largest = line;
            }
        }
        Map<String, Template> t = new HashMap<>();
        smallest.forEach((service, line) -> t.put(service, Template.of(parse(line))));
        this.templates = Map.copyOf(t);
        this.large = largest == null ? null : Template.of(parse(largest));
        this.organization = null;
        this.fractionDigits = -1;
    }

    private EventFactory(EventFactory base, String organization, int fractionDigits) {
        this.samples = base.samples;
        this.templates = base.templates;
        this.large = base.large;
        this.organization = organization;
        this.fractionDigits = fractionDigits;
    }

    /**
     * Finds {@code shared/jumpcloud-samples} by walking up from the working directory (tests run in
     * {@code /work/main}, the samples live in the sibling {@code /work/shared}). The system property
     * {@code jumpcloud.samples.dir} overrides the search.
     */
    public static Path samplesDir() {
        String override = System.getProperty("jumpcloud.samples.dir");
        if (override != null) {
            return Path.of(override);
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            for (Path candidate : List.of(d.resolve("shared/jumpcloud-samples"),
                    d.resolve("../shared/jumpcloud-samples"))) {
                if (Files.isDirectory(candidate)) {
                    return candidate.normalize();
                }
            }
        }
        throw new IllegalStateException("shared/jumpcloud-samples not found above " + start);
    }

    /** A copy that writes {@code org} into every event (null = keep each template's organization). */
    public EventFactory withOrganization(String org) {
        return new EventFactory(this, org, fractionDigits);
    }

    /** A copy that formats every timestamp with {@code digits} (0-9) fraction digits; -1 = per service. */
    public EventFactory withFractionDigits(int digits) {
        checkDigits(digits, true);
        return new EventFactory(this, organization, digits);
    }

    /** The organization written into events, or null when templates keep their own. */
    public String organization() {
        return organization;
    }

    /** Every sample line of every {@code *.ndjson} file, verbatim, in file-name then line order. */
    public List<String> samples() {
        return samples;
    }

    /** One new event of {@code service} at {@code ts}, with the configured or per-service precision. */
    public String event(String service, Instant ts) {
        return event(service, ts, fractionDigits >= 0 ? fractionDigits : defaultFractionDigits(service));
    }

    /**
     * One new event; {@code fractionDigits} (0-9) fraction digits of {@code ts} are written, the rest
     * truncated, so with 0 the event's timestamp is {@code ts} truncated to the second.
     */
    public String event(String service, Instant ts, int fractionDigits) {
        checkDigits(fractionDigits, false);
        return template(service).render(service, ts, fractionDigits, organization);
    }

    /** {@code n} new events of {@code service} all on the one identical timestamp {@code ts}. */
    public List<String> burst(String service, Instant ts, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(event(service, ts));
        }
        return out;
    }

    /**
     * {@code n} events inside the millisecond that starts at {@code ms}, 1 µs apart, written with 9
     * fraction digits: they share a sort-key millisecond, so the API returns them in tie-breaker
     * order rather than by their sub-millisecond timestamps.
     */
    public List<String> sameMillisecond(String service, Instant ms, int n) {
        Instant base = Instant.ofEpochMilli(ms.toEpochMilli());
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(event(service, base.plusNanos(1_000L * (i % 1000)), 9));
        }
        return out;
    }

    /** {@code n} events at {@code from}, {@code from+step}, ...; services taken round-robin. */
    public List<String> series(List<String> services, Instant from, Duration step, int n) {
        if (services.isEmpty()) {
            throw new IllegalArgumentException("no services");
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(event(services.get(i % services.size()), from.plus(step.multipliedBy(i))));
        }
        return out;
    }

    /** A new copy of the largest sample (the ~76 kB MDM {@code ProfileList} result). */
    public String largeEvent(Instant ts) {
        if (large == null) {
            throw new IllegalStateException("no samples loaded");
        }
        return large.render("mdm", ts, fractionDigits >= 0 ? fractionDigits : 9, organization);
    }

    /** Fraction digits real data shows per service: radius 0, directory 3, sso 8, mdm 9, others 3. */
    public static int defaultFractionDigits(String service) {
        return switch (service) {
            case "radius" -> 0;
            case "sso" -> 8;
            case "mdm" -> 9;
            case "systems" -> 6;
            default -> 3;
        };
    }

    /** {@code ts} in UTC with exactly {@code digits} (0-9) fraction digits (truncated) and a Z. */
    public static String formatTimestamp(Instant ts, int digits) {
        checkDigits(digits, false);
        return FORMATS[digits].format(ts);
    }

    /** A 24-hex MongoDB ObjectId whose first 4 bytes are the seconds of {@code ts}, like real ones. */
    public static String newObjectId(Instant ts) {
        char[] c = new char[24];
        hex(c, 0, ts.getEpochSecond(), 8);
        hex(c, 8, ThreadLocalRandom.current().nextLong(), 16);
        return new String(c);
    }

    private static void hex(char[] out, int at, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }

    /** An upper-case version-3-style UUID, the id shape of RADIUS events. */
    public static String newRadiusId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x3000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString().toUpperCase(java.util.Locale.ROOT);
    }

    private Template template(String service) {
        Template t = templates.get(service);
        return t != null ? t : SYNTHESISED.computeIfAbsent(service, s -> Template.of(synthesise(s)));
    }

    /** Plausible events for services without a public sample, from the schema notes (doc §7.2). */
    private static ObjectNode synthesise(String service) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("@version", "1");
        switch (service) {
            case "systems" -> {
                n.putObject("initiated_by").put("type", "user").put("username", "jane.doe");
                n.put("event_type", "login_attempt");
                n.put("service", service);
                n.put("organization", DEFAULT_ORGANIZATION);
                n.put("id", "");
                n.putObject("system").put("id", "5ef4a50631ad0a2c1849c40b")
                        .put("hostname", "build-server-01").put("displayName", "build-server-01");
                n.put("system_timestamp", "");
                n.put("message", "Accepted publickey for jane.doe from 198.51.100.23 port 52144 ssh2");
                n.put("src_ip", "198.51.100.23");
                n.put("username", "jane.doe");
                n.put("process_name", "sshd");
                n.put("success", true);
                n.put("timestamp", "");
            }
            case "ldap" -> {
                n.put("event_type", "ldap_bind");
                n.put("id", "");
                n.put("timestamp", "");
                n.put("service", service);
                n.put("organization", DEFAULT_ORGANIZATION);
                n.putObject("initiated_by").put("type", "user").put("username", "jane.doe");
                n.put("client_ip", "203.0.113.45");
                n.put("connection_id", "1a2b3c4d-0000-4000-8000-00000000c0de");
                n.put("operation_number", 1);
                n.put("operation_type", "bind");
                n.put("dn", "uid=jane.doe,ou=Users,o=" + DEFAULT_ORGANIZATION + ",dc=jumpcloud,dc=com");
                n.put("auth_method", "simple");
                n.put("mech", "");
                n.put("start_tls", false);
                n.put("tls_established", true);
                n.put("username", "jane.doe");
                n.put("success", true);
                n.put("error_code", 0);
                n.put("error_message", "");
                ObjectNode meta = n.putObject("auth_meta");
                meta.putObject("auth_methods").putObject("password").put("success", true);
                n.put("mfa", false);
            }
            default -> {
                n.put("event_type", service + "_activity");
                n.put("id", "");
                n.put("timestamp", "");
                n.put("service", service);
                n.put("organization", DEFAULT_ORGANIZATION);
                n.putObject("initiated_by").put("id", "64949312a2930fd2c93b2667")
                        .put("type", "admin").put("email", "admin@example.com");
                n.put("client_ip", "203.0.113.10");
                n.putObject("resource").put("id", "64949312a2930fd2c93b2670").put("type", service);
                n.put("success", true);
                n.putNull("provider");
            }
        }
        return n;
    }

    private static ObjectNode parse(String line) {
        try {
            return (ObjectNode) MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> readSamples(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".ndjson")).sorted(Comparator.naturalOrder()).toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        out.add(line.strip());
                    }
                }
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("no sample events in " + dir);
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void checkDigits(int digits, boolean allowDefault) {
        if (digits < (allowDefault ? -1 : 0) || digits > 9) {
            throw new IllegalArgumentException("fraction digits must be 0-9: " + digits);
        }
    }

    /**
     * A template serialised once with marker strings in the variable fields and cut into parts, so
     * rendering is string concatenation: a million events take seconds, not minutes.
     */
    private static final class Template {
        private static final String[] FIELDS = {"id", "timestamp", "organization", "service", "system_timestamp"};
        private final List<String> parts = new ArrayList<>();   // literal text between variables
        private final List<String> vars = new ArrayList<>();    // field name after each part
        private final boolean radiusIds;                        // template id is a UUID
        private final String templateOrganization;              // kept when no organization is chosen
        private int literalLength;

        private Template(String json, boolean radiusIds, String templateOrganization) {
            this.radiusIds = radiusIds;
            this.templateOrganization = templateOrganization;
            int pos = 0;
            while (true) {
                int next = -1;
                String field = null;
                for (String f : FIELDS) {
                    int i = json.indexOf(marker(f), pos);
                    if (i >= 0 && (next < 0 || i < next)) {
                        next = i;
                        field = f;
                    }
                }
                if (next < 0) {
                    parts.add(json.substring(pos));
                    literalLength = parts.stream().mapToInt(String::length).sum();
                    return;
                }
                parts.add(json.substring(pos, next));
                vars.add(field);
                pos = next + marker(field).length();
            }
        }

        static Template of(ObjectNode node) {
            ObjectNode n = node.deepCopy();
            boolean radius = n.path("id").asText().contains("-");
            String org = n.path("organization").isTextual() ? n.get("organization").asText() : DEFAULT_ORGANIZATION;
            // put() on an existing key keeps its position (LinkedHashMap order); missing keys go last
            for (String f : FIELDS) {
                if (n.has(f) || !f.equals("system_timestamp")) {
                    n.put(f, "\u0000" + f + "\u0000");
                }
            }
            try {
                return new Template(MAPPER.writeValueAsString(n), radius, org);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String marker(String field) {
            return "\"\\u0000" + field + "\\u0000\"";
        }

        String render(String service, Instant ts, int digits, String organization) {
            StringBuilder sb = new StringBuilder(literalLength + 160);
            for (int i = 0; i < vars.size(); i++) {
                sb.append(parts.get(i));
                String value = switch (vars.get(i)) {
                    case "id" -> radiusIds || "radius".equals(service) ? newRadiusId() : newObjectId(ts);
                    case "timestamp" -> formatTimestamp(ts, digits);
                    case "organization" -> organization != null ? organization : templateOrganization;
                    case "service" -> service;
                    default -> SYSTEM_LOCAL.format(ts.atOffset(DEVICE_OFFSET).withNano(0));
                };
                sb.append('"').append(JsonStringEncoder.getInstance().quoteAsString(value)).append('"');
            }
            sb.append(parts.get(parts.size() - 1));
            return sb.toString();
        }
    }
}
