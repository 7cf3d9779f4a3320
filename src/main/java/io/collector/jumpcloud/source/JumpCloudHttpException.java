package io.collector.jumpcloud.source;

import java.util.Map;

/** JumpCloud answered with an HTTP status other than 200 (its body's start is kept for the log). */
public final class JumpCloudHttpException extends java.io.IOException {
    private final int status;
    private final String body;
    private final transient Map<String, String> headers;

    public JumpCloudHttpException(int status, String body, Map<String, String> headers) {
        super("HTTP " + status + ": " + body);
        this.status = status;
        this.body = body;
        Map<String, String> lower = new java.util.HashMap<>();
        headers.forEach((k, v) -> lower.putIfAbsent(k.toLowerCase(java.util.Locale.ROOT), v));
        this.headers = Map.copyOf(lower);
    }

    public int status() {
        return status;
    }

    /** The answer's body, whitespace folded, at most a few hundred characters. */
    public String body() {
        return body;
    }

    /** A response header by name, any case; null when absent. */
    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
