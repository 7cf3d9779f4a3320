package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    static JumpCloudHttpException http(int status, Map<String, String> headers) {
        return new JumpCloudHttpException(status, "{}", headers);
    }

    @Test
    void retriesWhatMayPassNextTimeOnly() {
        assertTrue(RetryPolicy.retryable(http(429, Map.of())));
        assertTrue(RetryPolicy.retryable(http(503, Map.of())));
        assertTrue(RetryPolicy.retryable(new IOException("reset")));
        assertTrue(RetryPolicy.retryable(new BadPageException("truncated")));
        assertFalse(RetryPolicy.retryable(http(401, Map.of())), "a wrong key must not hammer the API");
        assertFalse(RetryPolicy.retryable(http(403, Map.of())));
        assertFalse(RetryPolicy.retryable(http(400, Map.of())));
    }

    @Test
    void honoursRetryAfterInSecondsAndAsAnHttpDateCapped() {
        RetryPolicy p = new RetryPolicy(5, 1000, 60_000);
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        assertEquals(7000, p.delayMillis(1, http(429, Map.of("Retry-After", "7")), now));
        assertEquals(30_000, p.delayMillis(1, http(429, Map.of("retry-after", "Wed, 25 Nov 2026 10:00:30 GMT")), now));
        assertEquals(60_000, p.delayMillis(1, http(429, Map.of("Retry-After", "3600")), now), "capped at jumpcloud.retry-max-delay");
        assertNull(RetryPolicy.retryAfterMillis("soon", now));
        assertEquals(60_000, p.delayMillis(1, http(429, Map.of("Retry-After", "9300000000000000")), now),
                "seconds beyond a long's milliseconds: the cap, not an overflow to no wait");
    }

    @Test
    void backsOffExponentiallyWithJitterUpToTheCap() {
        RetryPolicy p = new RetryPolicy(10, 1000, 60_000);
        for (int attempt = 1; attempt <= 10; attempt++) {
            long ceiling = Math.min(60_000, 1000L << (attempt - 1));
            for (int i = 0; i < 50; i++) {
                long d = p.delayMillis(attempt, new IOException("x"), Instant.now());
                assertTrue(d >= ceiling / 2 && d <= ceiling, attempt + ": " + d);
            }
        }
    }
}
