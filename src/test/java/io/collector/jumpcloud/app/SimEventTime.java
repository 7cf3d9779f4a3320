package io.collector.jumpcloud.app;

import java.time.Instant;

/** Reading the start_time a request carried. */
final class SimEventTime {
    private SimEventTime() {
    }

    static boolean after(String startTime, Instant sentAt) {
        return Instant.parse(startTime).isAfter(sentAt.plusSeconds(1));
    }
}
