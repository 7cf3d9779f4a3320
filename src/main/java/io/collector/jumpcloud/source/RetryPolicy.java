package io.collector.jumpcloud.source;

import java.io.IOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which failed requests to try again and how long to wait: JumpCloud's Retry-After (seconds or an
 * HTTP date) when present, otherwise exponential backoff with full jitter, both capped.
 */
final class RetryPolicy {
    private final int maxRetries;
    private final long initialDelayMs;
    private final long maxDelayMs;

    RetryPolicy(int maxRetries, long initialDelayMs, long maxDelayMs) {
        this.maxRetries = maxRetries;
        this.initialDelayMs = initialDelayMs;
        this.maxDelayMs = maxDelayMs;
    }

    int maxRetries() {
        return maxRetries;
    }

    static boolean retryable(Throwable e) {
        if (e instanceof JumpCloudHttpException h) {
            return h.status() == 429 || h.status() >= 500;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof BadPageException) {
                return true;
            }
        }
        return false;
    }

    long delayMillis(int attempt, Throwable e, Instant now) {
        if (e instanceof JumpCloudHttpException h) {
            Long given = retryAfterMillis(h.header("Retry-After"), now);
            if (given != null) {
                return Math.min(Math.max(given, 0), maxDelayMs);
            }
        }
        long ceiling = Math.min(maxDelayMs, initialDelayMs << Math.min(attempt - 1, 20));
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }

    static Long retryAfterMillis(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            // a huge number of seconds would overflow to a negative wait: no wait at all
            return seconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : seconds * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli() - now.toEpochMilli();
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }
}
