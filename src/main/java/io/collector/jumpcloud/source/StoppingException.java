package io.collector.jumpcloud.source;

/** The collector is stopping while a pull waits (for the request budget): the pull ends at the checkpoint. */
public final class StoppingException extends RuntimeException {
    public StoppingException() {
        super("the collector is stopping", null, false, false);
    }
}
