package io.collector.jumpcloud.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Proves the simulator honours the Directory Insights contract of the research doc (§3-§6, §9). */
class JumpCloudSimulatorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String KEY = JumpCloudSimulator.DEFAULT_API_KEY;
    private static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final EventFactory factory = new EventFactory();
    private JumpCloudSimulator sim;

    @BeforeEach
    void start() {
        sim = new JumpCloudSimulator();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    // ------------------------------------------------------------------ paging

    @Test
    void pagesTwentyFiveThousandEventsWithABurstAcrossPageBoundariesExactlyOnceInOrder() throws Exception {
        // 22,000 events 2 ms apart plus 3,000 on one odd millisecond: ascending positions 8500..11499,
        // so the burst straddles the 10,000 page boundary (radius events, written in whole seconds,
        // add more ties of their own)
        List<String> all = new ArrayList<>(factory.series(List.of("directory", "sso", "radius"), T0,
                Duration.ofMillis(2), 22_000));
        all.addAll(factory.burst("directory", T0.plusMillis(2 * 8500 - 1), 3000));
        sim.addEvents(all);
        List<String> expected = sim.events().stream().map(SimEvent::raw).toList();
        assertEquals(25_000, expected.size());

        List<String> got = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<String> cursors = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        JsonNode cursor = null;
        while (true) {
            ObjectNode q = query("all", T0).put("limit", 10_000);
            if (cursor != null) {
                q.set("search_after", cursor);
            }
            HttpResponse<String> r = post(q);
            assertEquals(200, r.statusCode(), r.body());
            int count = intHeader(r, "X-Result-Count");
            int limit = intHeader(r, "X-Limit");
            assertEquals(10_000, limit);
            ArrayNode page = (ArrayNode) MAPPER.readTree(r.body());
            assertEquals(count, page.size());
            // byte-exact: the page is the stored raw events joined, nothing re-serialised
            List<String> slice = expected.subList(got.size(), got.size() + count);
            assertEquals("[" + String.join(",", slice) + "]", r.body());
            got.addAll(slice);
            page.forEach(e -> ids.add(e.get("id").asText()));
            counts.add(count);
            cursors.add(r.headers().firstValue("X-Search_after").orElseThrow());
            cursor = MAPPER.readTree(cursors.get(cursors.size() - 1));
            assertEquals(2, cursor.size());
            if (count < limit) {
                break;
            }
        }
        assertEquals(List.of(10_000, 10_000, 5_000), counts);
        List<RecordedRequest> sent = sim.eventRequests();
        assertEquals(3, sent.size());
        assertNull(sent.get(0).bodyText("search_after"));
        assertEquals(cursors.get(0), sent.get(1).bodyText("search_after"));
        assertEquals(cursors.get(1), sent.get(2).bodyText("search_after"));
        assertEquals(expected, got);
        assertEquals(25_000, ids.size());
        List<SimEvent> stored = sim.events();
        for (int i = 1; i < stored.size(); i++) {
            assertTrue(stored.get(i - 1).epochMillis() <= stored.get(i).epochMillis(), "millis order at " + i);
        }
        String burstMillis = "[" + T0.plusMillis(2 * 8500 - 1).toEpochMilli() + ",";
        assertTrue(cursors.get(0).startsWith(burstMillis), "first page ends inside the burst: " + cursors);

        // descending walk returns the mirror image
        List<String> reversed = new ArrayList<>(expected);
        java.util.Collections.reverse(reversed);
        List<String> desc = new ArrayList<>();
        cursor = null;
        for (int i = 0; i < 4; i++) {
            ObjectNode q = query("all", T0).put("limit", 10_000).put("sort", "Desc");
            if (cursor != null) {
                q.set("search_after", cursor);
            }
            HttpResponse<String> r = post(q);
            assertEquals("DESC", r.headers().firstValue("X-Sort").orElseThrow());
            int n = intHeader(r, "X-Result-Count");
            List<String> slice = reversed.subList(desc.size(), desc.size() + n);
            assertEquals("[" + String.join(",", slice) + "]", r.body());
            desc.addAll(slice);
            cursor = MAPPER.readTree(r.headers().firstValue("X-Search_after").orElseThrow());
            if (intHeader(r, "X-Result-Count") < 10_000) {
                break;
            }
        }
        assertEquals(reversed, desc);
    }

    @Test
    void exactlyFullLastPageIsFollowedByAnEmptyPageThatEchoesTheCursor() throws Exception {
        sim.addEvents(factory.series(List.of("sso"), T0, Duration.ofSeconds(1), 2000));
        HttpResponse<String> p1 = post(query("sso", T0));
        assertEquals(1000, intHeader(p1, "X-Result-Count"));
        assertEquals(1000, intHeader(p1, "X-Limit"));
        String c1 = p1.headers().firstValue("X-Search_after").orElseThrow();
        assertTrue(c1.matches("\\[\\d{13},\"[A-Za-z0-9_-]{20}\"]"), c1);

        HttpResponse<String> p2 = post(query("sso", T0).set("search_after", MAPPER.readTree(c1)));
        assertEquals(1000, intHeader(p2, "X-Result-Count"));
        String c2 = p2.headers().firstValue("X-Search_after").orElseThrow();

        // the numeric string form of the cursor is accepted too
        JsonNode c2node = MAPPER.readTree(c2);
        ArrayNode asString = MAPPER.createArrayNode().add(c2node.get(0).asText()).add(c2node.get(1).asText());
        HttpResponse<String> p3 = post(query("sso", T0).set("search_after", asString));
        assertEquals(200, p3.statusCode());
        assertEquals("[]", p3.body());
        assertEquals(0, intHeader(p3, "X-Result-Count"));
        assertEquals(asString.toString(), p3.headers().firstValue("X-Search_after").orElseThrow());

        HttpResponse<String> none = post(query("sso", T0.plusSeconds(5000)));
        assertEquals("[]", none.body());
        assertEquals("[]", none.headers().firstValue("X-Search_after").orElseThrow());
    }

    @Test
    void responseHeadersAreComplete() throws Exception {
        sim.addEvents(factory.series(List.of("directory"), T0, Duration.ofSeconds(1), 3));
        HttpResponse<String> r = post(query("directory", T0));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(3, intHeader(r, "X-Result-Count"));
        assertEquals("ASC", r.headers().firstValue("X-Sort").orElseThrow());
        assertTrue(r.headers().firstValue("X-Request-Id").orElseThrow()
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
        SimEvent last = sim.events().get(2);
        assertEquals(last.searchAfter(), r.headers().firstValue("X-Search_after").orElseThrow());
        // an unknown sort value silently becomes ASC
        assertEquals("ASC", post(query("directory", T0).put("sort", "sideways")).headers()
                .firstValue("X-Sort").orElseThrow());
    }

    /** Requests answered at the same time are each recorded once, with their own body and status. */
    @Test
    void concurrentRequestsAreEachRecordedOnceAsAnswered() throws Exception {
        List<String> services = List.of("directory", "systems", "sso", "radius", "ldap", "mdm", "software", "password_manager");
        sim.addEvents(factory.series(services, T0, Duration.ofMillis(100), 800));
        for (int round = 0; round < 5; round++) {
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (String service : services) {
                String body = MAPPER.writeValueAsString(query(service, T0).put("limit", 50));
                answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(sim.baseUrl() + JumpCloudSimulator.EVENTS_PATH))
                        .header("x-api-key", KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (var answer : answers) {
                assertEquals(200, answer.get().statusCode());
            }
        }
        List<RecordedRequest> recorded = sim.eventRequests();
        assertEquals(5 * services.size(), recorded.size(), "one record per request");
        for (String service : services) {
            assertEquals(5, recorded.stream().filter(r -> r.body().path("service").toString().contains('"' + service + '"')).count(), service);
        }
        assertTrue(recorded.stream().allMatch(r -> r.status() == 200), "recorded as answered: 200");
    }

    @Test
    void invalidLimitsFallBackToTheDefault() throws Exception {
        sim.addEvents(factory.series(List.of("radius"), T0, Duration.ofMillis(100), 20));
        assertEquals(1000, intHeader(post(query("radius", T0)), "X-Limit"));
        assertEquals(1000, intHeader(post(query("radius", T0).put("limit", 0)), "X-Limit"));
        assertEquals(1000, intHeader(post(query("radius", T0).put("limit", -5)), "X-Limit"));
        assertEquals(1000, intHeader(post(query("radius", T0).put("limit", 20_000)), "X-Limit"));
        assertEquals(1000, intHeader(post(query("radius", T0).put("limit", "abc")), "X-Limit"));
        assertEquals(1000, intHeader(post(query("radius", T0).put("limit", 10.5)), "X-Limit"));
        assertEquals(10_000, intHeader(post(query("radius", T0).put("limit", 10_000)), "X-Limit"));
        HttpResponse<String> five = post(query("radius", T0).put("limit", 5));
        assertEquals(5, intHeader(five, "X-Limit"));
        assertEquals(5, MAPPER.readTree(five.body()).size());
        sim.clampLimitToMax(true);
        assertEquals(10_000, intHeader(post(query("radius", T0).put("limit", 20_000)), "X-Limit"));
    }

    // ------------------------------------------------------------------ auth and validation

    @Test
    void authenticationAndPermission() throws Exception {
        sim.forbiddenKey("runner-key");
        HttpResponse<String> none = send(query("all", T0).toString(), Map.of());
        assertEquals(401, none.statusCode());
        assertEquals("{\"message\":\"Unauthorized\"}", none.body());
        assertEquals(401, send(query("all", T0).toString(), Map.of("x-api-key", "nope")).statusCode());
        HttpResponse<String> forbidden = send(query("all", T0).toString(), Map.of("x-api-key", "runner-key"));
        assertEquals(403, forbidden.statusCode());
        assertTrue(message(forbidden).startsWith("Forbidden: "));
        assertEquals(200, send(query("all", T0).toString(), Map.of("X-API-KEY", KEY)).statusCode());

        RecordedRequest rec = sim.requests().get(3);
        assertTrue(rec.apiKeyPresent());
        assertEquals("<redacted>", rec.header("x-api-key"));
        assertEquals(T0.toString(), rec.bodyText("start_time"));
        assertEquals(200, rec.status());
        assertFalse(sim.requests().get(0).apiKeyPresent());
        assertEquals(401, sim.requests().get(0).status());
        assertFalse(sim.requests().toString().contains(KEY));

        HttpResponse<String> get = http.send(HttpRequest.newBuilder(sim.eventsUri()).GET()
                .header("x-api-key", KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertNotEquals(null, message(get));
    }

    @Test
    void invalidQueriesGet400WithAMessage() throws Exception {
        Instant now = Instant.now();
        assertBad(query("all", now.plusSeconds(3600)), "future");
        assertBad(query("all", T0).put("end_time", T0.minusSeconds(1).toString()), "end_time");
        String unknown = assertBad(query("nonsense", T0), "nonsense");
        for (String name : JumpCloudSimulator.KNOWN_SERVICES) {
            assertTrue(unknown.contains(name), unknown);
        }
        ObjectNode noService = query("all", T0);
        noService.remove("service");
        assertBad(noService, "service");
        assertBad(query("all", T0).set("service", MAPPER.createArrayNode()), "service");
        assertBad(query("all", T0).put("service", "all"), "service");
        ObjectNode noStart = query("all", T0);
        noStart.remove("start_time");
        assertBad(noStart, "start_time");
        assertBad(query("all", T0).put("start_time", "2025-06-01 10:00:00"), "start_time");
        assertBad(query("all", T0).put("start_time", "yesterday"), "start_time");
        assertBad(query("all", T0).set("search_after", MAPPER.createArrayNode().add(1)), "search_after");
        assertBad(query("all", T0).put("search_after", "[1,\"x\"]"), "search_after");
        assertBad(query("all", T0).set("search_after", MAPPER.createArrayNode().add("x").add("y")), "search_after");
        HttpResponse<String> notJson = send("{nope", Map.of("x-api-key", KEY));
        assertEquals(400, notJson.statusCode());
        assertEquals(400, send("[1,2]", Map.of("x-api-key", KEY)).statusCode());

        // accepted time shapes: Z, numeric offsets, 0-9 fraction digits; end == start is fine
        for (String t : List.of("2025-06-01T10:00:00Z", "2025-06-01T10:00:00+00:00", "2025-06-01T12:00:00.123456789+02:00",
                "2025-06-01T10:00:00.5Z")) {
            assertEquals(200, post(query("all", T0).put("start_time", t).put("end_time", t)).statusCode(), t);
        }
        // "all" mixed with names is accepted (real behaviour unknown)
        assertEquals(200, post(query("all", T0).set("service",
                MAPPER.createArrayNode().add("all").add("sso"))).statusCode());
    }

    @Test
    void startTimeIsInclusiveAndEndTimeInclusiveUnlessSwitched() throws Exception {
        Instant ts = Instant.parse("2025-06-01T10:00:00.123456789Z");
        // three events inside one millisecond: the filter uses full precision, the order does not
        String before = factory.event("mdm", ts.minusNanos(1));
        String exact = factory.event("mdm", ts);
        String after = factory.event("mdm", ts.plusNanos(1));
        sim.addEvents(List.of(before, exact, after));
        assertEquals(Set.of(id(exact), id(after)), ids(post(query("mdm", ts))));
        ObjectNode window = query("mdm", ts.minusSeconds(1)).put("end_time", ts.toString());
        assertEquals(Set.of(id(before), id(exact)), ids(post(window)));
        sim.endTimeExclusive(true);
        assertEquals(Set.of(id(before)), ids(post(window)));
    }

    @Test
    void servesEventsByteForByteAsAdded() throws Exception {
        List<String> samples = factory.samples();
        sim.addEvents(samples);
        HttpResponse<String> r = post(query("all", Instant.parse("2019-01-01T00:00:00Z")));
        String expected = "[" + String.join(",", sim.events().stream().map(SimEvent::raw).toList()) + "]";
        assertEquals(expected, r.body());
        assertEquals(Set.copyOf(samples), sim.events().stream().map(SimEvent::raw).collect(Collectors.toSet()));
        assertTrue(r.body().contains("\"timestamp\":\"2023-03-07T13:03:42Z\""));       // radius, seconds
        assertTrue(r.body().contains("\"timestamp\":\"2023-03-07T13:01:19.21859368Z\"")); // sso, 8 digits
        // the doc examples carry no service, so only "all" finds them
        HttpResponse<String> dir = post(query("directory", Instant.parse("2019-01-01T00:00:00Z")));
        assertEquals(2, intHeader(dir, "X-Result-Count"));
        HttpResponse<String> count = send(query("all", Instant.parse("2019-01-01T00:00:00Z")).toString(),
                Map.of("x-api-key", KEY), JumpCloudSimulator.COUNT_PATH);
        assertEquals("{\"count\":" + samples.size() + "}", count.body());
    }

    @Test
    void multiTenantKeyNeedsAnOrganizationAndSeesOnlyItsEvents() throws Exception {
        String a = "aaaaaaaaaaaaaaaaaaaaaaaa";
        String b = "bbbbbbbbbbbbbbbbbbbbbbbb";
        sim.addEvents(factory.withOrganization(a).series(List.of("directory"), T0, Duration.ofSeconds(1), 3));
        sim.addEvents(factory.withOrganization(b).series(List.of("directory"), T0, Duration.ofSeconds(1), 2));
        sim.multiTenant(true).diDisabledOrg("cccccccccccccccccccccccc");
        String body = query("all", T0).toString();
        HttpResponse<String> noOrg = send(body, Map.of("x-api-key", KEY));
        assertEquals(401, noOrg.statusCode());
        assertEquals("{\"message\":\"Unauthorized: no organization selected\"}", noOrg.body());
        assertEquals(3, intHeader(send(body, Map.of("x-api-key", KEY, "x-org-id", a)), "X-Result-Count"));
        assertEquals(5, intHeader(send(body, Map.of("x-api-key", KEY, "x-org-id", a + ", " + b)), "X-Result-Count"));
        HttpRequest repeated = HttpRequest.newBuilder(sim.eventsUri()).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("x-api-key", KEY).header("x-org-id", a).header("x-org-id", b).build();
        assertEquals(5, intHeader(http.send(repeated, HttpResponse.BodyHandlers.ofString()), "X-Result-Count"));
        assertEquals(402, send(body, Map.of("x-api-key", KEY, "x-org-id", "cccccccccccccccccccccccc")).statusCode());
        HttpResponse<String> onlyB = send(body, Map.of("x-api-key", KEY, "x-org-id", b));
        MAPPER.readTree(onlyB.body()).forEach(e -> assertEquals(b, e.get("organization").asText()));
    }

    @Test
    void lateIndexedEventsAppearOnlyOnceVisible() throws Exception {
        io.collector.jumpcloud.testing.SteppedClock clock = io.collector.jumpcloud.testing.SteppedClock.at(T0.plusSeconds(60));
        sim.clock(clock);
        sim.addEvents(factory.series(List.of("sso"), T0, Duration.ofSeconds(1), 5));
        String late = factory.event("sso", T0.plusMillis(2500));
        sim.addEvent(late, T0.plusSeconds(120));
        HttpResponse<String> before = post(query("sso", T0));
        assertEquals(5, intHeader(before, "X-Result-Count"));
        assertFalse(before.body().contains(late));
        assertEquals("{\"count\":5}", send(query("sso", T0).toString(), Map.of("x-api-key", KEY),
                JumpCloudSimulator.COUNT_PATH).body());
        clock.step(java.time.Duration.ofSeconds(61));
        HttpResponse<String> after = post(query("sso", T0));
        assertEquals(6, intHeader(after, "X-Result-Count"));
        assertTrue(after.body().contains(late));
        // the simulator clock also decides what "future" means
        assertEquals(400, post(query("sso", T0.plusSeconds(200))).statusCode());
    }

    // ------------------------------------------------------------------ faults

    @Test
    void eachScriptedFaultHitsExactlyOneRequest() throws Exception {
        sim.addEvents(factory.series(List.of("directory", "sso"), T0, Duration.ofSeconds(1), 10));
        ObjectNode q = query("all", T0);
        String full = post(q).body();

        sim.failNext(429, "{\"message\":\"Too Many Requests\"}", Map.of("Retry-After", "2"));
        HttpResponse<String> limited = post(q);
        assertEquals(429, limited.statusCode());
        assertEquals("2", limited.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(full, post(q).body());

        sim.failNext(503).failNext(502).failNext(500);
        assertEquals(503, post(q).statusCode());
        assertEquals(502, post(q).statusCode());
        HttpResponse<String> err = post(q);
        assertEquals(500, err.statusCode());
        assertTrue(message(err).contains("500"));

        sim.truncateNextBody();
        HttpResponse<String> cut = post(q);
        assertEquals(200, cut.statusCode());
        assertEquals(10, intHeader(cut, "X-Result-Count"));
        assertEquals(full.substring(0, full.length() / 2), cut.body());
        assertThrows(IOException.class, () -> MAPPER.readTree(cut.body()));

        sim.nonJsonNext();
        HttpResponse<String> html = post(q);
        assertEquals(200, html.statusCode());
        assertEquals("<html>oops</html>", html.body());

        sim.wrongCountNext();
        HttpResponse<String> wrong = post(q);
        assertEquals(11, intHeader(wrong, "X-Result-Count"));
        assertEquals(10, MAPPER.readTree(wrong.body()).size());

        sim.dropSearchAfterNext();
        HttpResponse<String> noCursor = post(q);
        assertTrue(noCursor.headers().firstValue("X-Search_after").isEmpty());
        assertEquals(full, noCursor.body());

        sim.delayNext(Duration.ofMillis(300));
        long t = System.nanoTime();
        assertEquals(full, post(q).body());
        assertTrue(System.nanoTime() - t >= 300_000_000L);

        sim.resetNext();
        assertThrows(IOException.class, () -> post(q));
        assertEquals(0, sim.pendingFaults());
        assertEquals(full, post(q).body());

        sim.latency(Duration.ofMillis(100));
        t = System.nanoTime();
        post(q);
        post(q);
        assertTrue(System.nanoTime() - t >= 200_000_000L);
        sim.latency(Duration.ZERO);

        sim.rateLimit(2);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(post(q).statusCode());
        }
        assertTrue(statuses.contains(429), statuses.toString());
        sim.rateLimit(0);
        assertEquals(200, post(q).statusCode());

        // the count endpoint does not consume one-shot faults
        sim.failNext(500);
        assertEquals(200, send(q.toString(), Map.of("x-api-key", KEY), JumpCloudSimulator.COUNT_PATH).statusCode());
        assertEquals(1, sim.pendingFaults());
        sim.clearFaults();
    }

    // ------------------------------------------------------------------ event factory

    @Test
    void factoryMakesRealisticEvents() throws Exception {
        Instant ts = Instant.parse("2025-06-18T01:40:48.953462371Z");
        assertEquals("2025-06-18T01:40:48Z", MAPPER.readTree(factory.event("radius", ts)).get("timestamp").asText());
        assertEquals("2025-06-18T01:40:48.953Z", MAPPER.readTree(factory.event("directory", ts)).get("timestamp").asText());
        assertEquals("2025-06-18T01:40:48.95346237Z", MAPPER.readTree(factory.event("sso", ts)).get("timestamp").asText());
        assertEquals("2025-06-18T01:40:48.953462371Z", MAPPER.readTree(factory.event("mdm", ts)).get("timestamp").asText());
        assertEquals("2025-06-18T01:40:48.95Z",
                MAPPER.readTree(factory.withFractionDigits(2).event("mdm", ts)).get("timestamp").asText());

        JsonNode radius = MAPPER.readTree(factory.event("radius", ts));
        assertTrue(radius.get("id").asText().matches("[0-9A-F]{8}-[0-9A-F]{4}-3[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}"));
        JsonNode sso = MAPPER.readTree(factory.withOrganization("0123456789abcdef01234567").event("sso", ts));
        assertTrue(sso.get("id").asText().matches("[0-9a-f]{24}"));
        assertEquals("0123456789abcdef01234567", sso.get("organization").asText());
        assertEquals(fieldNames(MAPPER.readTree(factory.samples().stream()
                .filter(s -> s.contains("\"sso_auth\"")).findFirst().orElseThrow())), fieldNames(sso));

        for (String service : List.of("systems", "ldap", "alerts", "workflows")) {
            String raw = factory.event(service, ts);
            assertFalse(raw.contains("\n"));
            SimEvent e = SimEvent.of(raw);
            assertEquals(service, e.service());
            assertEquals(ts.toEpochMilli(), e.epochMillis());
        }
        List<String> burst = factory.burst("sso", ts, 50);
        assertEquals(1, burst.stream().map(s -> SimEvent.of(s).timestamp()).distinct().count());
        assertEquals(50, burst.stream().map(s -> SimEvent.of(s).id()).distinct().count());
        SimEvent big = SimEvent.of(factory.largeEvent(ts));
        assertTrue(big.raw().length() > 70_000);
        assertEquals(20, SimEvent.of(burst.get(0)).tieBreaker().length());
        assertNull(SimEvent.of("{\"timestamp\":\"2020-01-01T00:00:00Z\"}").service());
    }

    // ------------------------------------------------------------------ helpers

    private static String id(String raw) {
        return SimEvent.of(raw).id();
    }

    private static Set<String> ids(HttpResponse<String> r) throws IOException {
        Set<String> out = new HashSet<>();
        MAPPER.readTree(r.body()).forEach(e -> out.add(e.get("id").asText()));
        assertEquals(out.size(), intHeader(r, "X-Result-Count"));
        return out;
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static ObjectNode query(String service, Instant start) {
        ObjectNode q = MAPPER.createObjectNode();
        q.putArray("service").add(service);
        q.put("start_time", start.toString());
        return q;
    }

    private HttpResponse<String> post(ObjectNode body) throws IOException, InterruptedException {
        return send(body.toString(), Map.of("x-api-key", KEY));
    }

    private HttpResponse<String> send(String body, Map<String, String> headers) throws IOException, InterruptedException {
        return send(body, headers, JumpCloudSimulator.EVENTS_PATH);
    }

    private HttpResponse<String> send(String body, Map<String, String> headers, String path)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String assertBad(ObjectNode body, String messagePart) throws Exception {
        HttpResponse<String> r = post(body);
        assertEquals(400, r.statusCode(), body.toString());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        String msg = message(r);
        assertTrue(msg.contains(messagePart), msg);
        return msg;
    }

    private static String message(HttpResponse<String> r) throws IOException {
        return MAPPER.readTree(r.body()).get("message").asText();
    }

    private static int intHeader(HttpResponse<String> r, String name) {
        return Integer.parseInt(r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name)));
    }
}
