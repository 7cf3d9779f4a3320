package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class EventTimestampsTest {
    @Test
    void everyPrecisionJumpCloudWritesToTheNanosecond() {
        String[] texts = {"2023-03-07T13:03:42Z", "2023-03-07T13:03:42.5Z", "2023-01-14T08:16:06.495Z",
            "2023-03-07T13:01:19.21859368Z", "2025-06-18T01:40:48.953462371Z", "2024-02-29T23:59:59.000001Z"};
        for (String t : texts) {
            assertEquals(OffsetDateTime.parse(t).toInstant(), EventTimestamps.parse(t), t);
        }
        // offsets other than Z go through the formatter
        assertEquals(Instant.parse("2023-03-07T12:03:42Z"), EventTimestamps.parse("2023-03-07T13:03:42+01:00"));
        // strings do not sort: …42Z is before …42.5Z
        assertEquals(-1, Integer.signum(EventTimestamps.parse("2023-03-07T13:03:42Z").compareTo(EventTimestamps.parse("2023-03-07T13:03:42.5Z"))));
    }

    @Test
    void refusesWhatIsNotATimestamp() {
        for (String t : new String[] {"2023-02-30T00:00:00Z", "2023-13-01T00:00:00Z", "2023-01-01T24:00:00Z",
            "2023-01-01T00:00:00.1234567890Z", "2023-01-01 00:00:00Z", "yesterday"}) {
            assertThrows(RuntimeException.class, () -> EventTimestamps.parse(t), t);
        }
    }
}
