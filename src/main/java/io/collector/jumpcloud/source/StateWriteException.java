package io.collector.jumpcloud.source;

/** A delivered page's state could not be written: the route stops asking for pages until it can. */
final class StateWriteException extends RuntimeException {
    StateWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
