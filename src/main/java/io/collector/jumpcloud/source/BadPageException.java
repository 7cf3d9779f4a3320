package io.collector.jumpcloud.source;

/** JumpCloud answered 200 but the page cannot be trusted (not JSON, truncated, counts disagree). */
public class BadPageException extends RuntimeException {
    public BadPageException(String message) {
        super(message);
    }

    public BadPageException(String message, Throwable cause) {
        super(message, cause);
    }
}
