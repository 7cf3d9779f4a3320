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
            .toFormatter()
            .withResolverStyle(java.time.format.ResolverStyle.STRICT);

    /** The whole-second form JumpCloud documents for {@code start_time}. */
    private static final DateTimeFormatter QUERY = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
    private static final DateTimeFormatter QUERY_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private EventTimestamps() {
    }

    public static Instant parse(String text) {
        Instant fast = parseUtc(text);
        return fast != null ? fast : OffsetDateTime.parse(text, RFC3339).toInstant();
    }

    /**
     * The shape JumpCloud sends, {@code yyyy-MM-ddTHH:mm:ss[.f…]Z}, read without a formatter (the
     * formatter was a tenth of the collector's CPU at backfill volume); null for any other shape.
     */
    private static Instant parseUtc(String t) {
        int n = t.length();
        if (n < 20 || t.charAt(n - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        int nanos = 0;
        if (n > 20) {
            int fractionDigits = n - 21;
            if (t.charAt(19) != '.' || fractionDigits < 1 || fractionDigits > 9) {
                return null;
            }
            int f = digits(t, 20, n - 1);
            if (f < 0) {
                return null;
            }
            for (int i = fractionDigits; i < 9; i++) {
                f *= 10;
            }
            nanos = f;
        }
        if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1 || day > 31
                || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        try {
            long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(epochDay * 86400 + hour * 3600L + minute * 60L + second, nanos);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static int digits(String t, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    public static String queryTime(Instant t) {
        return QUERY.format(t.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
    }

    /**
     * The last microsecond before {@code t}, as an end_time: "[a, b)" whether JumpCloud's end_time
     * is inclusive or exclusive (its documentation does not say). Six digits, a form known to work.
     */
    public static String endTimeBefore(Instant t) {
        return QUERY_MICROS.format(t.minusNanos(1000).truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
    }

    /** Epoch seconds with all nine fraction digits: the reference's number, without losing precision. */
    public static BigDecimal toEpochSeconds(Instant t) {
        return BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9));
    }

    /** The year 9999's last second: beyond it a number is not a date of this collector's. */
    private static final BigDecimal MAX_EPOCH_SECONDS = BigDecimal.valueOf(253402300799L);

    /**
     * Epoch seconds as an instant (nine fraction digits kept). A number outside 1970 to 9999, or with
     * more than 18 fraction digits, is an {@link IllegalArgumentException} found before any arithmetic
     * on it: a state file could hold {@code 1e-300000000}, whose digits would take minutes to compute.
     */
    public static Instant fromEpochSeconds(BigDecimal s) {
        if (s.signum() < 0 || s.compareTo(MAX_EPOCH_SECONDS) > 0 || s.scale() > 18) {
            throw new IllegalArgumentException("not epoch seconds between 1970 and 9999 with at most 18 fraction digits");
        }
        BigDecimal whole = new BigDecimal(s.toBigInteger());
        return Instant.ofEpochSecond(whole.longValueExact(), s.subtract(whole).movePointRight(9).longValue());
    }
}
