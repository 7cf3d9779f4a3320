package io.collector.jumpcloud.source;

/** A request still failed after the configured retries (jumpcloud.max-retries). */
public class GaveUpException extends Exception {
    private final int retries;

    public GaveUpException(int retries, Exception cause) {
        super("still failing after " + retries + " retries: " + cause.getMessage(), cause);
        this.retries = retries;
    }

    public int retries() {
        return retries;
    }
}
