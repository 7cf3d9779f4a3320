package io.collector.jumpcloud.source;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;

/**
 * JumpCloud writes event timestamps with 0 to 9 fraction digits ({@code …41Z}, {@code …41.5Z},
 * {@code …41.953462371Z}); as strings they do not sort, so every comparison is made on instants.
 */
public final class EventTimestamps {
    private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter();

    /** The whole-second form JumpCloud documents for {@code start_time}. */
    private static final DateTimeFormatter QUERY = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private EventTimestamps() {
    }

    public static Instant parse(String text) {
        return OffsetDateTime.parse(text, RFC3339).toInstant();
    }

    public static String queryTime(Instant t) {
        return QUERY.format(t.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
    }

    /** Epoch seconds with all nine fraction digits: the reference's number, without losing precision. */
    public static BigDecimal toEpochSeconds(Instant t) {
        return BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9));
    }

    public static Instant fromEpochSeconds(BigDecimal s) {
        BigDecimal whole = new BigDecimal(s.toBigInteger());
        return Instant.ofEpochSecond(whole.longValueExact(), s.subtract(whole).movePointRight(9).longValue());
    }
}
