package io.collector.jumpcloud.source;

/**
 * JumpCloud's paging does not move forward (a cursor already seen in this pull, or a page older than
 * the one before): asking again would loop for ever, so the pull ends with PullError 305.
 */
final class CursorLoopException extends RuntimeException {
    CursorLoopException(String message) {
        super(message);
    }
}
