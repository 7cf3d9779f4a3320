package io.collector.jumpcloud.devo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.collector.jumpcloud.source.DiEvent;
import java.nio.charset.StandardCharsets;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;

/**
 * The split's aggregation strategy: turns each event that survived the route into its Devo line and
 * joins a page's lines into one body, so a page is one write on the TLS connection rather than one
 * write and flush per event. Events the route dropped (duplicates, or the exchange property {@value #DROP}
 * set by a hand-edited route) are left out. Not {@code stop}: the split stops on exceptions, and then a
 * stop in it ends the whole pull instead of one event.
 * The body that leaves the split is a {@link DevoPage}: the page's LF-ended lines, noted as each
 * line's header bytes (cached per table and second) and the event's bytes in the page JumpCloud sent.
 * No String and no array is made per event or per page; {@link DevoLineFramer} copies the lines
 * straight into the relay connection's pooled buffers.
 */
public final class DevoLines implements AggregationStrategy {
    /** Header carrying the Devo table, set by the route's content-based router. */
    public static final String TABLE = "DevoTable";
    /** Exchange property: how many lines the body holds after the split. */
    public static final String COUNT = "devoLines";
    /** Exchange property a hand-edited route sets to true to keep an event out of Devo (README "Editing the routes"). */
    public static final String DROP = "devoDrop";
    /** Exchange property: the page's lines sent to the fallback table, by event service (a map; absent when none). */
    public static final String FALLBACK = "devoFallbackLines";
    /** Exchange property: the page's events whose line is over devo.max-line-bytes (a list of {@link TooLong}; absent when none). */
    public static final String TOO_LONG = "devoLinesTooLong";
    /** Exchange property: how many of them. */
    public static final String TOO_LONG_COUNT = "devoLinesTooLongCount";
    private static final String BUFFER = "devoLinesBuffer";

    /** An event kept out of Devo because its line would be over devo.max-line-bytes: it goes to the quarantine file. */
    public record TooLong(String id, int lineBytes, byte[] json) {
    }
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DevoLineFormat format;
    private final DevoTables tables;
    private final int maxLineBytes;

    public DevoLines(DevoLineFormat format, DevoTables tables) {
        this(format, tables, Integer.MAX_VALUE);
    }

    /** @param maxLineBytes devo.max-line-bytes: a longer line is never sent (a relay would cut it into headerless lines) */
    public DevoLines(DevoLineFormat format, DevoTables tables, int maxLineBytes) {
        this.format = format;
        this.tables = tables;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        // A fresh exchange, not the first event's: its flags (duplicate, route stop) and headers
        // would otherwise be copied onto the pull's exchange and into every later page's events.
        Exchange result = oldExchange == null ? new DefaultExchange(newExchange.getContext()) : oldExchange;
        DevoPage buffer = result.getProperty(BUFFER, DevoPage.class);
        if (buffer == null) {
            buffer = new DevoPage();
            result.setProperty(BUFFER, buffer);
        }
        if (!dropped(newExchange)) {
            String table = newExchange.getMessage().getHeader(TABLE, String.class);
            if (table == null) {
                table = tables.tableFor(null); // a hand-edited route that set no table: the fallback, whatever the service
                buffer.fallback(tables.label(service(newExchange)));
            } else if (table.equals(tables.fallbackTable())) { // the header lookup only for the rare fallback event
                String service = service(newExchange);
                if (tables.isFallback(table, service)) {
                    buffer.fallback(tables.label(service));
                }
            }
            Object body = newExchange.getMessage().getBody();
            byte[] prefix = format.prefix(table);
            if (body instanceof DiEvent e && e.isPlainOneLineAscii()) {
                if (prefix.length + e.jsonLength() + 1L > maxLineBytes) {
                    buffer.tooLong(new TooLong(e.getId(), prefix.length + e.jsonLength() + 1, e.getJson().getBytes(StandardCharsets.UTF_8)));
                } else {
                    buffer.add(prefix, e, e.jsonLength());
                }
            } else {
                byte[] json = json(body).toString().getBytes(StandardCharsets.UTF_8);
                if (prefix.length + json.length + 1L > maxLineBytes) {
                    String id = newExchange.getMessage().getHeader(io.collector.jumpcloud.source.EventHeaders.ID, String.class);
                    buffer.tooLong(new TooLong(id, prefix.length + json.length + 1, json));
                } else {
                    buffer.add(prefix, json, json.length);
                }
            }
        }
        return result;
    }

    @Override
    public void onCompletion(Exchange exchange, Exchange inputExchange) {
        if (exchange == null) {
            return;
        }
        DevoPage buffer = exchange.getProperty(BUFFER, DevoPage.class);
        exchange.removeProperty(BUFFER);
        int count = buffer == null ? 0 : buffer.count();
        exchange.setProperty(COUNT, count);
        if (buffer != null && !buffer.fallbackLines().isEmpty()) {
            exchange.setProperty(FALLBACK, buffer.fallbackLines());
        } else {
            exchange.removeProperty(FALLBACK); // not a failed page's, left over
        }
        if (buffer != null && !buffer.tooLong().isEmpty()) {
            exchange.setProperty(TOO_LONG, buffer.tooLong());
            exchange.setProperty(TOO_LONG_COUNT, buffer.tooLong().size());
        } else {
            exchange.removeProperty(TOO_LONG);
            exchange.removeProperty(TOO_LONG_COUNT);
        }
        exchange.getMessage().setBody(count == 0 ? null : buffer);
    }

    private static String service(Exchange e) {
        return e.getMessage().getHeader(io.collector.jumpcloud.source.EventHeaders.SERVICE, String.class);
    }

    private static boolean dropped(Exchange e) {
        // the raw values: the typed getProperty(name, default, type) went through the type converter
        // for every event (half a microsecond each, at a million events per backfill)
        return isTrue(e.getProperty(org.apache.camel.ExchangePropertyKey.DUPLICATE_MESSAGE))
                || isTrue(e.getProperty(DROP))
                || e.isRouteStop()
                || e.getException() != null;
    }

    private static boolean isTrue(Object v) {
        return v != null && (v == Boolean.TRUE || v instanceof Boolean b && b || "true".equalsIgnoreCase(v.toString().trim()));
    }

    /** The event as sent by JumpCloud, or what a hand-edited route turned it into, as one line of JSON. */
    private static CharSequence json(Object body) {
        if (body instanceof DiEvent e) {
            String s = e.getJson();
            return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? s : compact(s);
        }
        if (body instanceof CharSequence s) {
            return s.toString().indexOf('\n') < 0 ? s : compact(s.toString());
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (Exception ex) {
            throw new IllegalArgumentException("cannot write the event as JSON: " + ex.getMessage(), ex);
        }
    }

    /** Pretty-printed JSON would break the one-line framing: re-write it compactly, values unchanged. */
    private static String compact(String json) {
        try {
            return JSON.writeValueAsString(JSON.readTree(json));
        } catch (Exception ex) {
            throw new IllegalArgumentException("an event spans several lines and is not JSON: " + ex.getMessage(), ex);
        }
    }

}
