package io.collector.jumpcloud.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request as the simulator saw it, so tests can assert what a collector sent.
 *
 * @param method      HTTP method
 * @param path        request path (no query string)
 * @param headers     header names lower-cased; the {@code x-api-key} value replaced by {@code <redacted>}
 * @param apiKeyPresent whether an {@code x-api-key} header was sent at all
 * @param body        the body parsed as JSON, or null if it was empty or not JSON
 * @param rawBody     the body text as received
 * @param status      the status the simulator answered (200 also for truncated/reset bodies)
 * @param arrivedAt   wall-clock arrival time (system clock, not the simulator clock, so tests can
 *                    measure retry back-off even when the simulator clock is fixed)
 */
public record RecordedRequest(String method, String path, Map<String, List<String>> headers,
                              boolean apiKeyPresent, JsonNode body, String rawBody, int status,
                              Instant arrivedAt) {

    /** First value of a header (name case-insensitive), or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** A top-level body field as text (e.g. {@code start_time}), or null when absent. */
    public String bodyText(String field) {
        if (body == null || !body.has(field) || body.get(field).isNull()) {
            return null;
        }
        JsonNode v = body.get(field);
        return v.isValueNode() ? v.asText() : v.toString();
    }
}
