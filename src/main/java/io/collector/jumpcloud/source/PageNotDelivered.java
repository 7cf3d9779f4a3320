package io.collector.jumpcloud.source;

/** The route failed a page (the Devo relay down, a step's error): the pull ends, the page is read again. */
final class PageNotDelivered extends RuntimeException {
    PageNotDelivered(Exception cause) {
        super(cause.getMessage(), cause);
    }
}
