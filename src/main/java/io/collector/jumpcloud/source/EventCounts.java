package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collector.jumpcloud.config.CollectorSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * JumpCloud's {@code POST /insights/directory/v1/events/count} for one service and organization,
 * within the shared request budget. Used by the count check; its failures end the check, never a pull.
 */
public final class EventCounts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CollectorSettings settings;
    private final RequestBudget budget;
    private final Answers answers;

    /** Told each answer: its HTTP status, or "error" when none came (the metrics count them). */
    public interface Answers {
        void answered(String service, String org, String status);
    }
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public EventCounts(CollectorSettings settings, RequestBudget budget, Answers answers) {
        this.settings = settings;
        this.budget = budget;
        this.answers = answers;
    }

    /** Events with a timestamp in [from, to). */
    public long count(String service, String org, Instant from, Instant to, BooleanSupplier stop) throws IOException, InterruptedException {
        if (!budget.acquire(stop)) {
            throw new InterruptedException("shutting down");
        }
        ObjectNode q = JSON.createObjectNode();
        q.putArray("service").add(service);
        q.put("start_time", EventTimestamps.queryTime(from));
        q.put("end_time", EventTimestamps.endTimeBefore(to));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(settings.baseUrl() + "/insights/directory/v1/events/count"))
                .timeout(Duration.ofSeconds(60))
                .header("x-api-key", settings.apiKey())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(q.toString()));
        if (org != null && !org.isEmpty()) {
            req.header("x-org-id", org);
        }
        HttpResponse<String> res;
        try {
            res = BoundedAnswers.send(client, req.build(), settings.requestTimeoutMs());
        } catch (IOException e) {
            answers.answered(service, org, "error");
            throw e;
        }
        answers.answered(service, org, Integer.toString(res.statusCode()));
        if (res.statusCode() != 200) {
            throw new IOException("/events/count answered HTTP " + res.statusCode() + ": " + abbreviate(res.body()));
        }
        JsonNode n;
        try {
            n = JSON.readTree(res.body());
        } catch (IOException e) {
            throw new IOException("/events/count answered no JSON: " + abbreviate(res.body()));
        }
        if (!n.path("count").canConvertToLong() || n.path("count").asLong() < 0) {
            throw new IOException("/events/count answered no count: " + abbreviate(res.body()));
        }
        return n.path("count").asLong();
    }

    private static String abbreviate(String body) {
        String t = body == null ? "" : body.replaceAll("\\s+", " ");
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }
}
