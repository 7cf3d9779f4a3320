package io.collector.jumpcloud.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;

/**
 * A local JumpCloud Directory Insights API (research doc §9) on the JDK's HttpServer, bound to
 * 127.0.0.1. It serves stored events verbatim, pages them with the inferred Elasticsearch cursor,
 * and can misbehave on demand so collectors can be tested against every failure mode.
 *
 * <p>Configuration methods return {@code this} and may be called while the server runs.
 *
 * <p>Known deviation: the JDK server normalises response header names to "first letter upper, rest
 * lower" on the wire ({@code X-search_after}, {@code X-result-count}); HTTP header names are
 * case-insensitive, so clients must (and the real API's clients do) look them up that way.
 */
public final class JumpCloudSimulator implements AutoCloseable {

    public static final String EVENTS_PATH = "/insights/directory/v1/events";
    public static final String COUNT_PATH = EVENTS_PATH + "/count";
    public static final String DEFAULT_API_KEY = "sim-api-key";
    public static final int DEFAULT_LIMIT = 1000;
    public static final int MAX_LIMIT = 10_000;
    /** The 16 OpenAPI enum names (doc §3.1) plus {@code workflows} (JumpCloud's own exporter). */
    public static final List<String> KNOWN_SERVICES = List.of("all", "directory", "systems", "sso", "radius",
            "ldap", "mdm", "software", "password_manager", "object_storage", "alerts", "notifications",
            "reports", "saas_app_management", "access_management", "asset_management", "workflows");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern INTEGER = Pattern.compile("-?\\d{1,18}");
    private static final byte[] NON_JSON = "<html>oops</html>".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final ExecutorService executor;

    // events, ascending by SimEvent.SORT_ORDER; pages are found by binary search
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ArrayList<SimEvent> store = new ArrayList<>();

    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final List<RecordedRequest> requests = new ArrayList<>();

    private volatile Set<String> validKeys = Set.of(DEFAULT_API_KEY);
    private volatile Set<String> multiTenantKeys = Set.of();
    private volatile Set<String> diDisabledOrgs = Set.of();
    private volatile String forbiddenKey;
    private volatile boolean multiTenant;
    private volatile Clock clock = Clock.systemUTC();
    private volatile boolean endTimeExclusive;
    private volatile boolean ignoresEndTime;
    private final Set<String> hiddenOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean clampLimitToMax;
    private volatile List<String> knownServices = KNOWN_SERVICES;
    private volatile Duration latency = Duration.ZERO;
    private volatile int rateLimit;          // requests per second, 0 = unlimited
    private final Map<String, byte[]> rawOverrides = new ConcurrentHashMap<>();
    private final Map<String, Duration> trickled = new ConcurrentHashMap<>();
    private volatile boolean cycleCursors;
    private final AtomicInteger cycle = new AtomicInteger();
    private long rateWindow = -1;            // guarded by this
    private int rateCount;                   // guarded by this

    /** Starts on 127.0.0.1 with a free port. */
    public JumpCloudSimulator() {
        this(0);
    }

    /** Starts on 127.0.0.1:{@code port} (0 = any free port). */
    public JumpCloudSimulator(int port) {
        this(port, null);
    }

    /** Starts on 127.0.0.1 with a free port, answering over TLS as JumpCloud does (a proxy then tunnels with CONNECT). */
    public JumpCloudSimulator(javax.net.ssl.SSLContext tls) {
        this(0, tls);
    }

    private JumpCloudSimulator(int port, javax.net.ssl.SSLContext tls) {
        try {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            if (tls == null) {
                server = HttpServer.create(at, 128);
            } else {
                com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(at, 128);
                https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "jumpcloud-sim-" + n.incrementAndGet());
            t.setDaemon(true); // a forgotten close() must not keep a test JVM alive
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}, the value for the collector's base URL. */
    public String baseUrl() {
        return baseUrl("127.0.0.1");
    }

    /** The base URL with this host name (https when the simulator answers over TLS). */
    public String baseUrl(String host) {
        return (server instanceof com.sun.net.httpserver.HttpsServer ? "https://" : "http://") + host + ":" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code baseUrl() + EVENTS_PATH}. */
    public URI eventsUri() {
        return URI.create(baseUrl() + EVENTS_PATH);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow(); // interrupts handlers sleeping in latency/delay faults
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- configuration

    /** Replaces the accepted API keys (default {@link #DEFAULT_API_KEY}); call before multiTenantKey. */
    public JumpCloudSimulator validKeys(String... keys) {
        validKeys = Set.of(keys);
        return this;
    }

    /** A key that authenticates but lacks permission (e.g. a Command Runner admin): 403. */
    public JumpCloudSimulator forbiddenKey(String key) {
        forbiddenKey = key;
        return this;
    }

    /**
     * Makes every valid key a multi-tenant (MSP) key: x-org-id required, events filtered by it.
     * Single-tenant keys ignore x-org-id (they see their own organization, i.e. every stored event).
     */
    public JumpCloudSimulator multiTenant(boolean on) {
        multiTenant = on;
        return this;
    }

    /** Adds a valid key that is multi-tenant while other keys stay single-tenant. */
    public JumpCloudSimulator multiTenantKey(String key) {
        Set<String> keys = new LinkedHashSet<>(validKeys);
        keys.add(key);
        validKeys = Set.copyOf(keys);
        Set<String> mt = new LinkedHashSet<>(multiTenantKeys);
        mt.add(key);
        multiTenantKeys = Set.copyOf(mt);
        return this;
    }

    /** Requests naming this org in x-org-id get 402 (Directory Insights not enabled). */
    public JumpCloudSimulator diDisabledOrg(String org) {
        Set<String> s = new LinkedHashSet<>(diDisabledOrgs);
        s.add(org);
        diDisabledOrgs = Set.copyOf(s);
        return this;
    }

    /** The simulator's notion of now: future start_time check and late visibility. */
    public JumpCloudSimulator clock(Clock c) {
        clock = c;
        return this;
    }

    public Clock clock() {
        return clock;
    }

    /** A broken API that answers with the events after end_time too (a hostile or buggy JumpCloud, a proxy's cache). */
    public JumpCloudSimulator ignoresEndTime(boolean on) {
        ignoresEndTime = on;
        return this;
    }

    /** end_time is inclusive by default (the real behaviour is unknown, doc §10). */
    public JumpCloudSimulator endTimeExclusive(boolean on) {
        endTimeExclusive = on;
        return this;
    }

    /** limit > 10000: use 10000 instead of the default 1000 (real behaviour unknown). */
    public JumpCloudSimulator clampLimitToMax(boolean on) {
        clampLimitToMax = on;
        return this;
    }

    /** Replaces the accepted service names (default {@link #KNOWN_SERVICES}). */
    public JumpCloudSimulator knownServices(Collection<String> names) {
        knownServices = List.copyOf(names);
        return this;
    }

    // ---------------------------------------------------------------- data

    /** Adds events (one compact JSON object each), visible at once. */
    public JumpCloudSimulator addEvents(Collection<String> rawJson) {
        List<SimEvent> parsed = (rawJson.size() > 10_000 ? rawJson.parallelStream() : rawJson.stream())
                .map(SimEvent::of).toList();
        return addSimEvents(parsed);
    }

    public JumpCloudSimulator addEvent(String raw) {
        return addEvent(raw, Instant.MIN);
    }

    /** Adds an event that queries see only once the simulator clock reaches {@code visibleAt}. */
    public JumpCloudSimulator addEvent(String raw, Instant visibleAt) {
        return addSimEvents(List.of(SimEvent.of(raw, visibleAt)));
    }

    /** Adds ready-made events (e.g. with a chosen tie-breaker). */
    public JumpCloudSimulator addSimEvents(Collection<SimEvent> events) {
        List<SimEvent> batch = new ArrayList<>(events);
        batch.sort(SimEvent.SORT_ORDER);
        lock.writeLock().lock();
        try {
            if (batch.size() == 1) {
                SimEvent e = batch.get(0);
                int i = upperBound(e.epochMillis(), e.tieBreaker());
                store.add(i, e);
            } else {
                store.addAll(batch);
                store.sort(SimEvent.SORT_ORDER); // two sorted runs: TimSort merges them in O(n)
            }
        } finally {
            lock.writeLock().unlock();
        }
        return this;
    }

    public JumpCloudSimulator clearEvents() {
        lock.writeLock().lock();
        try {
            store.clear();
        } finally {
            lock.writeLock().unlock();
        }
        return this;
    }

    public int eventCount() {
        lock.readLock().lock();
        try {
            return store.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A snapshot of all stored events in ascending API order (visible or not). */
    public List<SimEvent> events() {
        lock.readLock().lock();
        try {
            return List.copyOf(store);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- faults

    /** The next /events request gets this answer (body null = {"message":...}; headers may be null). */
    public JumpCloudSimulator failNext(int status, String body, Map<String, String> headers) {
        faults.add(new Fault(FaultKind.FAIL, status, body, headers == null ? Map.of() : Map.copyOf(headers), null));
        return this;
    }

    public JumpCloudSimulator failNext(int status) {
        return failNext(status, null, null);
    }

    /** Next /events answer: 200 with the right headers, body cut in the middle (length matches the cut). */
    public JumpCloudSimulator truncateNextBody() {
        return addFault(FaultKind.TRUNCATE, null);
    }

    /** Next /events answer: 200 with the usual headers and the body {@code <html>oops</html>}. */
    public JumpCloudSimulator nonJsonNext() {
        return addFault(FaultKind.NON_JSON, null);
    }

    /** Next /events answer: X-Result-Count one more than the array length. */
    public JumpCloudSimulator wrongCountNext() {
        return addFault(FaultKind.WRONG_COUNT, null);
    }

    /** Next /events answer: 200 without X-Search_after. */
    public JumpCloudSimulator dropSearchAfterNext() {
        return addFault(FaultKind.DROP_CURSOR, null);
    }

    /** Next /events answer comes only after {@code firstByte}. */
    public JumpCloudSimulator delayNext(Duration firstByte) {
        return addFault(FaultKind.DELAY, firstByte);
    }

    /**
     * An index glitch: the next /events answer that would hold each of these events leaves it out,
     * while /events/count still counts it (what the completeness check is for).
     */
    public JumpCloudSimulator hideOnce(Collection<String> eventIds) {
        hiddenOnce.addAll(eventIds);
        return this;
    }

    /** Next /events answer: headers announce the full length, half the body is sent, the connection drops. */
    public JumpCloudSimulator resetNext() {
        return addFault(FaultKind.RESET, null);
    }

    /**
     * A hostile or broken event: every page that holds event {@code eventId} sends these bytes in its
     * place (invalid UTF-8, not an object, no id...), the element still counted in X-Result-Count.
     */
    public JumpCloudSimulator rawBytes(String eventId, byte[] bytes) {
        rawOverrides.put(eventId, bytes.clone());
        return this;
    }

    /** Next /events answer: the page's headers with Content-Length 1,500,000,000, a few bytes, then the connection drops. */
    public JumpCloudSimulator hugeContentLengthNext() {
        return addFault(FaultKind.HUGE_LENGTH, null);
    }

    private volatile int countFailure;

    /** Every /events/count request from now on is answered {@code status} (0: counted again). */
    public JumpCloudSimulator failCounts(int status) {
        countFailure = status;
        return this;
    }

    /** Next /events answer: the page, its X-Search_after a JSON array of {@code chars} characters. */
    public JumpCloudSimulator hugeCursorNext(int chars) {
        faults.add(new Fault(FaultKind.HUGE_CURSOR, 200, Integer.toString(chars), Map.of(), null));
        return this;
    }

    /** Next /events answer: the page with {@code count} more headers. */
    public JumpCloudSimulator manyHeadersNext(int count) {
        faults.add(new Fault(FaultKind.MANY_HEADERS, 200, Integer.toString(count), Map.of(), null));
        return this;
    }

    /** Next /events answer: 200, chunked, {@code bytes} of whitespace (an endless body), then the page. */
    public JumpCloudSimulator endlessBodyNext(long bytes) {
        faults.add(new Fault(FaultKind.ENDLESS, 200, Long.toString(bytes), Map.of(), null));
        return this;
    }

    /**
     * A paging bug: every /events answer ignores search_after (the query's first page again) and its
     * X-Search_after alternates between two cursors, A, B, A, B...
     */
    public JumpCloudSimulator cycleCursors(boolean on) {
        cycleCursors = on;
        return this;
    }

    private volatile boolean swapCursors;

    /** X-Search_after is A, except after A, when it is B: a request after A gets B, one after B gets A again. */
    public JumpCloudSimulator swapCursors(boolean on) {
        swapCursors = on;
        return this;
    }

    /** Answers to queries naming {@code service} send their body one byte every {@code perByte} (null = off). */
    public JumpCloudSimulator trickle(String service, Duration perByte) {
        if (perByte == null) {
            trickled.remove(service);
        } else {
            trickled.put(service, perByte);
        }
        return this;
    }

    /** Sleep before every /events answer (benchmarks); ZERO = off. */
    public JumpCloudSimulator latency(Duration perRequest) {
        latency = perRequest == null ? Duration.ZERO : perRequest;
        return this;
    }

    /** More than {@code requestsPerSecond} API requests in one wall-clock second get 429; 0 = off. */
    public JumpCloudSimulator rateLimit(int requestsPerSecond) {
        rateLimit = requestsPerSecond;
        return this;
    }

    public JumpCloudSimulator clearFaults() {
        faults.clear();
        trickled.clear();
        cycleCursors = false;
        swapCursors = false;
        latency = Duration.ZERO;
        rateLimit = 0;
        return this;
    }

    /** One-shot faults not yet consumed. */
    public int pendingFaults() {
        return faults.size();
    }

    private JumpCloudSimulator addFault(FaultKind kind, Duration delay) {
        faults.add(new Fault(kind, 200, null, Map.of(), delay));
        return this;
    }

    // ---------------------------------------------------------------- recording

    /** Every request so far, in the order they were answered (recorded just before the response). */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Only the requests to {@link #EVENTS_PATH}. */
    public List<RecordedRequest> eventRequests() {
        return requests().stream().filter(r -> r.path().equals(EVENTS_PATH)).toList();
    }

    public JumpCloudSimulator clearRequests() {
        synchronized (requests) {
            requests.clear();
        }
        return this;
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange ex) throws IOException {
        Arrival a = new Arrival(Instant.now());
        // not ex.setAttribute: on Java 17 an exchange's attributes are its context's, shared by all
        // requests at once (requests answered at the same time were recorded twice or as 500)
        arrivals.put(ex, a);
        try {
            a.rawBody = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            a.body = parseJson(a.rawBody);
            dispatch(ex, a.body);
            ex.close();
        } catch (ConnectionReset r) {
            throw new IOException("simulated connection reset"); // the server then drops the socket
        } catch (IOException | RuntimeException e) {
            ex.close();
            throw e;
        } finally {
            if (!a.recorded) {
                record(ex, a, 500); // failed before answering (e.g. interrupted by close())
            }
            arrivals.remove(ex);
        }
    }

    /** Sends the status line and headers, recording the request first so a client never sees a
     * response before {@link #requests()} lists it. */
    private void respond(HttpExchange ex, int status, long length) throws IOException {
        record(ex, arrivals.get(ex), status);
        ex.sendResponseHeaders(status, length);
    }

    private final Map<HttpExchange, Arrival> arrivals = new ConcurrentHashMap<>();

    /** What is known about a request before it is answered. */
    private static final class Arrival {
        final Instant at;
        String rawBody = "";
        JsonNode body;
        boolean recorded;

        Arrival(Instant at) {
            this.at = at;
        }
    }

    private int dispatch(HttpExchange ex, JsonNode body) throws IOException {
        String path = ex.getRequestURI().getPath();
        boolean events = path.equals(EVENTS_PATH);
        if (!events && !path.equals(COUNT_PATH)) {
            return sendError(ex, 404, "Not Found");
        }
        if (!ex.getRequestMethod().equals("POST")) {
            ex.getResponseHeaders().set("Allow", "POST");
            return sendError(ex, 405, "Method Not Allowed"); // real code unknown (doc §9.1)
        }
        boolean limited = overRateLimit();
        Fault fault = events ? faults.poll() : null;
        if (events) {
            sleep(latency);
        }
        if (fault != null && fault.kind == FaultKind.DELAY) {
            sleep(fault.delay);
        }
        if (limited) {
            return sendError(ex, 429, "Too Many Requests");
        }
        if (fault != null && fault.kind == FaultKind.FAIL) {
            Headers h = ex.getResponseHeaders();
            h.set("Content-Type", "application/json");
            fault.headers.forEach(h::set);
            String text = fault.body != null ? fault.body : message("simulated failure " + fault.status);
            return send(ex, fault.status, text.getBytes(StandardCharsets.UTF_8));
        }

        if (!events && countFailure != 0) {
            return sendError(ex, countFailure, "simulated failure " + countFailure + " of the count");
        }
        // authentication before validation, as an API gateway does
        String key = ex.getRequestHeaders().getFirst("x-api-key");
        if (key != null && key.equals(forbiddenKey)) {
            return sendError(ex, 403, "Forbidden: this API key's role may not read Directory Insights");
        }
        if (key == null || !validKeys.contains(key)) {
            return sendError(ex, 401, "Unauthorized");
        }
        Set<String> orgs = orgIds(ex.getRequestHeaders());
        boolean tenantKey = multiTenant || multiTenantKeys.contains(key);
        if (tenantKey && orgs.isEmpty()) {
            return sendError(ex, 401, "Unauthorized: no organization selected");
        }
        for (String org : orgs) {
            if (diDisabledOrgs.contains(org)) {
                return sendError(ex, 402, "Payment Required: Directory Insights is not enabled for organization " + org);
            }
        }

        Query q;
        try {
            // a single-tenant key's x-org-id is ignored: only MSP keys select organizations
            q = Query.parse(body, events, tenantKey ? orgs : null, clock.instant(), knownServices,
                    clampLimitToMax);
        } catch (BadRequest e) {
            return sendError(ex, 400, e.getMessage());
        }
        if (events && ignoresEndTime) {
            q.end = null; // a broken API: answers with the events after end_time as well
        }
        if (!events) {
            return send(ex, 200, ("{\"count\":" + count(q) + "}").getBytes(StandardCharsets.UTF_8), true);
        }
        if (cycleCursors) {
            q.cursorTb = null; // the first page again, whatever the cursor
        }
        return sendPage(ex, q, page(q), fault);
    }

    private int sendPage(HttpExchange ex, Query q, List<SimEvent> page, Fault f) throws IOException {
        FaultKind fault = f == null ? null : f.kind;
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", "application/json");
        h.set("X-Result-Count", Integer.toString(page.size() + (fault == FaultKind.WRONG_COUNT ? 1 : 0)));
        h.set("X-Limit", Integer.toString(q.limit));
        h.set("X-Sort", q.desc ? "DESC" : "ASC");
        h.set("X-Request-Id", UUID.randomUUID().toString());
        if (fault != FaultKind.DROP_CURSOR) {
            // empty page: echo the request's cursor (real behaviour unknown, doc §4)
            String cursor = page.isEmpty() ? (q.searchAfterText != null ? q.searchAfterText : "[]")
                    : page.get(page.size() - 1).searchAfter();
            if (swapCursors) {
                cursor = "[1,\"A\"]".equals(q.searchAfterText) ? "[1,\"B\"]" : "[1,\"A\"]";
            }
            if (cycleCursors) {
                cursor = cycle.getAndIncrement() % 2 == 0 ? "[1,\"A\"]" : "[1,\"B\"]";
            }
            h.set("X-Search_after", cursor);
        }
        if (fault == FaultKind.HUGE_CURSOR) {
            int chars = Integer.parseInt(f.body);
            h.set("X-Search_after", "[1,\"" + "a".repeat(Math.max(0, chars - 6)) + "\"]");
        }
        if (fault == FaultKind.MANY_HEADERS) {
            for (int i = Integer.parseInt(f.body); i > 0; i--) {
                h.add("X-Padding-" + i, "x");
            }
        }
        if (fault == FaultKind.NON_JSON) {
            return send(ex, 200, NON_JSON);
        }
        if (fault == FaultKind.HUGE_LENGTH) {
            respond(ex, 200, 1_500_000_000L);
            OutputStream out = ex.getResponseBody();
            out.write(("[" + " ".repeat(1000)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            throw new ConnectionReset(1001);
        }
        if (fault == FaultKind.ENDLESS) {
            respond(ex, 200, 0); // chunked
            OutputStream out = new BufferedOutputStream(ex.getResponseBody(), 1 << 16);
            byte[] spaces = new byte[1 << 16];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (long left = Long.parseLong(f.body); left > 0; left -= spaces.length) {
                out.write(spaces, 0, (int) Math.min(spaces.length, left));
            }
            out.write("[]".getBytes(StandardCharsets.UTF_8));
            out.close();
            return 200;
        }
        List<byte[]> parts = new ArrayList<>(page.size());
        long total = 2 + Math.max(0, page.size() - 1);
        for (SimEvent e : page) {
            byte[] override = e.id() == null ? null : rawOverrides.get(e.id());
            byte[] b = override != null ? override : e.raw().getBytes(StandardCharsets.UTF_8);
            parts.add(b);
            total += b.length;
        }
        long announced = fault == FaultKind.TRUNCATE ? total / 2 : total;
        long cut = fault == FaultKind.TRUNCATE || fault == FaultKind.RESET ? total / 2 : total;
        respond(ex, 200, announced);
        // stream straight to the socket: a 10,000 x 1 kB page is never copied into one buffer
        Duration slow = trickleFor(q);
        OutputStream out = slow == null ? new BufferedOutputStream(ex.getResponseBody(), 1 << 16) : trickling(ex.getResponseBody(), slow);
        long written = writeBody(out, parts, cut);
        out.flush();
        if (fault == FaultKind.RESET) {
            throw new ConnectionReset(written);
        }
        out.close();
        return 200;
    }

    private Duration trickleFor(Query q) {
        for (Map.Entry<String, Duration> t : trickled.entrySet()) {
            if (q.services == null ? t.getKey().equals("all") : q.services.contains(t.getKey())) {
                return t.getValue();
            }
        }
        return null;
    }

    /** One byte per {@code perByte}, flushed each time. */
    private static OutputStream trickling(OutputStream out, Duration perByte) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                sleep(perByte);
                out.write(b);
                out.flush();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(b[off + i]);
                }
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    private static long writeBody(OutputStream out, List<byte[]> parts, long max) throws IOException {
        long[] n = {0};
        IoWriter w = (b, off, len) -> {
            int k = (int) Math.min(len, max - n[0]);
            if (k > 0) {
                out.write(b, off, k);
                n[0] += k;
            }
        };
        byte[] open = {'['};
        byte[] comma = {','};
        byte[] close = {']'};
        w.write(open, 0, 1);
        for (int i = 0; i < parts.size() && n[0] < max; i++) {
            if (i > 0) {
                w.write(comma, 0, 1);
            }
            w.write(parts.get(i), 0, parts.get(i).length);
        }
        w.write(close, 0, 1);
        return n[0];
    }

    @FunctionalInterface
    private interface IoWriter {
        void write(byte[] b, int off, int len) throws IOException;
    }

    private int sendError(HttpExchange ex, int status, String msg) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        return send(ex, status, message(msg).getBytes(StandardCharsets.UTF_8));
    }

    private int send(HttpExchange ex, int status, byte[] body) throws IOException {
        return send(ex, status, body, false);
    }

    private int send(HttpExchange ex, int status, byte[] body, boolean json) throws IOException {
        if (json) {
            ex.getResponseHeaders().set("Content-Type", "application/json");
        }
        ex.getResponseHeaders().set("X-Request-Id", UUID.randomUUID().toString());
        respond(ex, status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        return status;
    }

    private static String message(String msg) {
        return MAPPER.createObjectNode().put("message", msg).toString();
    }

    private synchronized boolean overRateLimit() {
        int rps = rateLimit;
        if (rps <= 0) {
            return false;
        }
        long second = System.nanoTime() / 1_000_000_000L; // wall-clock window: the sim clock may be fixed
        if (second != rateWindow) {
            rateWindow = second;
            rateCount = 0;
        }
        return ++rateCount > rps;
    }

    private static void sleep(Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("simulator closing", e);
        }
    }

    private static Set<String> orgIds(Headers h) {
        Set<String> out = new LinkedHashSet<>();
        List<String> values = h.get("x-org-id");
        if (values != null) {
            for (String v : values) {
                for (String part : v.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.strip());
                    }
                }
            }
        }
        return out;
    }

    private static JsonNode parseJson(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private void record(HttpExchange ex, Arrival a, int status) {
        a.recorded = true;
        Map<String, List<String>> headers = new TreeMap<>();
        boolean keyPresent = false;
        for (Map.Entry<String, List<String>> e : ex.getRequestHeaders().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("x-api-key")) {
                keyPresent = true;
                headers.put(name, e.getValue().stream().map(v -> "<redacted>").toList());
            } else {
                headers.put(name, List.copyOf(e.getValue()));
            }
        }
        RecordedRequest r = new RecordedRequest(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                headers, keyPresent, a.body, a.rawBody, status, a.at);
        synchronized (requests) {
            requests.add(r);
        }
    }

    // ---------------------------------------------------------------- query execution

    private List<SimEvent> page(Query q) {
        Instant now = clock.instant();
        List<SimEvent> out = new ArrayList<>(Math.min(q.limit, 1024));
        boolean exclusive = endTimeExclusive;
        lock.readLock().lock();
        try {
            if (!q.desc) {
                int i = lowerBoundMillis(q.start.toEpochMilli());
                if (q.cursorTb != null) {
                    i = Math.max(i, upperBound(q.cursorMillis, q.cursorTb));
                }
                long endMillis = q.end == null ? Long.MAX_VALUE : q.end.toEpochMilli();
                for (; i < store.size() && out.size() < q.limit; i++) {
                    SimEvent e = store.get(i);
                    if (e.epochMillis() > endMillis) {
                        break;
                    }
                    if (q.matches(e, now, exclusive) && !hiddenOnce.remove(e.id())) {
                        out.add(e);
                    }
                }
            } else {
                int i = (q.end == null ? store.size() : lowerBoundMillis(q.end.toEpochMilli() + 1)) - 1;
                if (q.cursorTb != null) {
                    i = Math.min(i, lowerBound(q.cursorMillis, q.cursorTb) - 1);
                }
                long startMillis = q.start.toEpochMilli();
                for (; i >= 0 && out.size() < q.limit; i--) {
                    SimEvent e = store.get(i);
                    if (e.epochMillis() < startMillis) {
                        break;
                    }
                    if (q.matches(e, now, exclusive)) {
                        out.add(e);
                    }
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    private long count(Query q) {
        Instant now = clock.instant();
        boolean exclusive = endTimeExclusive;
        long n = 0;
        lock.readLock().lock();
        try {
            long endMillis = q.end == null ? Long.MAX_VALUE : q.end.toEpochMilli();
            for (int i = lowerBoundMillis(q.start.toEpochMilli()); i < store.size(); i++) {
                SimEvent e = store.get(i);
                if (e.epochMillis() > endMillis) {
                    break;
                }
                if (q.matches(e, now, exclusive)) {
                    n++;
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        return n;
    }

    /** First index whose millis >= m. Caller holds a lock. */
    private int lowerBoundMillis(long m) {
        int lo = 0;
        int hi = store.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (store.get(mid).epochMillis() < m) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** First index whose key >= (m, tb). */
    private int lowerBound(long m, String tb) {
        int lo = 0;
        int hi = store.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (store.get(mid).compareToKey(m, tb) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** First index whose key > (m, tb). */
    private int upperBound(long m, String tb) {
        int lo = 0;
        int hi = store.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (store.get(mid).compareToKey(m, tb) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** A validated EventQuery (doc §3). */
    private static final class Query {
        Set<String> services;     // null = all
        Set<String> orgs;         // null = any
        Instant start;
        Instant end;
        boolean desc;
        int limit;
        long cursorMillis;
        String cursorTb;          // null = no search_after
        String searchAfterText;   // compact JSON of the request's search_after

        static Query parse(JsonNode body, boolean events, Set<String> orgs, Instant now,
                           List<String> known, boolean clamp) {
            if (body == null) {
                throw new BadRequest("invalid request body: expected a JSON object");
            }
            if (!body.isObject()) {
                throw new BadRequest("invalid request body: expected a JSON object");
            }
            Query q = new Query();
            q.orgs = orgs;
            JsonNode service = body.get("service");
            if (service == null || service.isNull()) {
                throw new BadRequest("service is required");
            }
            if (!service.isArray() || service.isEmpty()) {
                throw new BadRequest("service must be a non-empty array of service names");
            }
            Set<String> names = new LinkedHashSet<>();
            for (JsonNode s : service) {
                if (!s.isTextual() || !known.contains(s.asText())) {
                    throw new BadRequest("invalid service " + s + ": valid services are " + String.join(", ", known));
                }
                names.add(s.asText());
            }
            // "all" mixed with names: accepted as "all"; what the real API does is unknown (doc §3.1)
            q.services = names.contains("all") ? null : names;

            q.start = time(body, "start_time", true);
            if (q.start.isAfter(now)) {
                throw new BadRequest("start_time must not be in the future");
            }
            q.end = time(body, "end_time", false);
            if (q.end != null && q.end.isBefore(q.start)) {
                throw new BadRequest("end_time must be after start_time");
            }
            JsonNode sort = body.get("sort");
            q.desc = sort != null && sort.isTextual() && sort.asText().equalsIgnoreCase("desc");

            JsonNode limit = body.get("limit");
            q.limit = DEFAULT_LIMIT; // missing or "nonsensical" (doc §3)
            if (limit != null && limit.isIntegralNumber() && limit.canConvertToLong()) {
                long l = limit.asLong();
                if (l >= 1 && l <= MAX_LIMIT) {
                    q.limit = (int) l;
                } else if (l > MAX_LIMIT && clamp) {
                    q.limit = MAX_LIMIT;
                }
            }
            if (events) { // /events/count ignores limit and search_after
                parseCursor(q, body.get("search_after"));
            }
            return q;
        }

        private static void parseCursor(Query q, JsonNode sa) {
            if (sa == null || sa.isNull()) {
                return; // null treated as absent
            }
            if (!sa.isArray() || sa.size() != 2 || !sa.get(1).isTextual()) {
                throw new BadRequest("search_after must be an array [number, string]: " + sa);
            }
            JsonNode m = sa.get(0);
            if (m.isIntegralNumber() && m.canConvertToLong()) {
                q.cursorMillis = m.asLong();
            } else if (m.isNumber() && m.asDouble() == Math.rint(m.asDouble())) {
                q.cursorMillis = (long) m.asDouble();
            } else if (m.isTextual() && INTEGER.matcher(m.asText()).matches()) {
                q.cursorMillis = Long.parseLong(m.asText());
            } else {
                throw new BadRequest("search_after must be an array [number, string]: " + sa);
            }
            q.cursorTb = sa.get(1).asText();
            q.searchAfterText = sa.toString();
        }

        private static Instant time(JsonNode body, String field, boolean required) {
            JsonNode v = body.get(field);
            if (v == null || v.isNull()) {
                if (required) {
                    throw new BadRequest(field + " is required");
                }
                return null;
            }
            if (!v.isTextual() || !SimEvent.isRfc3339(v.asText())) {
                throw new BadRequest(field + " must be an RFC 3339 date-time like 2020-01-01T14:00:00Z: " + v);
            }
            try {
                return SimEvent.parseRfc3339(v.asText());
            } catch (IllegalArgumentException e) {
                throw new BadRequest(field + " must be an RFC 3339 date-time like 2020-01-01T14:00:00Z: " + v);
            }
        }

        boolean matches(SimEvent e, Instant now, boolean endExclusive) {
            if (e.timestamp().isBefore(start)) {
                return false;
            }
            if (end != null && (endExclusive ? !e.timestamp().isBefore(end) : e.timestamp().isAfter(end))) {
                return false;
            }
            if (services != null && (e.service() == null || !services.contains(e.service()))) {
                return false;
            }
            if (orgs != null && (e.organization() == null || !orgs.contains(e.organization()))) {
                return false;
            }
            return !e.visibleAt().isAfter(now);
        }
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown after half a body was sent so the server drops the connection. */
    private static final class ConnectionReset extends RuntimeException {
        ConnectionReset(long written) {
            super("reset after " + written + " bytes", null, false, false);
        }
    }

    private enum FaultKind { FAIL, TRUNCATE, NON_JSON, WRONG_COUNT, DROP_CURSOR, DELAY, RESET, HUGE_LENGTH, ENDLESS, HUGE_CURSOR, MANY_HEADERS }

    private record Fault(FaultKind kind, int status, String body, Map<String, String> headers, Duration delay) { }
}
