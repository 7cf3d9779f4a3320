package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * JumpCloud's {@code POST /insights/directory/v1/events/count} for one service and organization,
 * within the shared request budget. Used by the count check; its failures end the check, never a pull.
 */
public final class EventCounts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JumpCloudClient client;
    private final Answers answers;

    /** Told each answer: its HTTP status, or "error" when none came (the metrics count them). */
    public interface Answers {
        void answered(String service, String org, String status);
    }

    public EventCounts(JumpCloudClient client, Answers answers) {
        this.client = client;
        this.answers = answers;
    }

    /** Events with a timestamp in [from, to). */
    public long count(String service, String org, Instant from, Instant to, BooleanSupplier stop) throws IOException, InterruptedException {
        ObjectNode q = JSON.createObjectNode();
        q.putArray("service").add(service);
        q.put("start_time", EventTimestamps.queryTime(from));
        q.put("end_time", EventTimestamps.endTimeBefore(to));
        String body;
        try {
            body = client.postForText(JumpCloudClient.COUNT, org, q.toString(), 4096, stop);
        } catch (JumpCloudHttpException e) {
            answers.answered(service, org, Integer.toString(e.status()));
            throw new IOException("/events/count answered HTTP " + e.status() + ": " + e.body(), e);
        } catch (IOException e) {
            answers.answered(service, org, "error");
            throw e;
        }
        answers.answered(service, org, "200");
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException e) {
            throw new IOException("/events/count answered no JSON: " + abbreviate(body));
        }
        if (!n.path("count").canConvertToLong() || n.path("count").asLong() < 0) {
            throw new IOException("/events/count answered no count: " + abbreviate(body));
        }
        return n.path("count").asLong();
    }

    private static String abbreviate(String body) {
        String t = io.collector.jumpcloud.observe.LogSafe.text(body == null ? "" : body.replaceAll("\\s+", " "), 200);
        return t;
    }
}
