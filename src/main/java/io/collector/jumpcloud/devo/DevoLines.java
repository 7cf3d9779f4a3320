package io.collector.jumpcloud.devo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.collector.jumpcloud.source.DiEvent;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;

/**
 * The split's aggregation strategy: turns each event that survived the route into its Devo line and
 * joins a page's lines into one body, so a page is one write on the TLS connection rather than one
 * write and flush per event. Events the route dropped (duplicates, a user's {@code stop}) are left out.
 * The body that leaves the split is the page's lines, LF-separated without the final LF (the netty
 * textline codec and stream:out each end the last line).
 */
public final class DevoLines implements AggregationStrategy {
    /** Header carrying the Devo table, set by the route's content-based router. */
    public static final String TABLE = "DevoTable";
    /** Exchange property: how many lines the body holds after the split. */
    public static final String COUNT = "devoLines";
    private static final String BUFFER = "devoLinesBuffer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DevoLineFormat format;
    private final DevoTables tables;

    public DevoLines(DevoLineFormat format, DevoTables tables) {
        this.format = format;
        this.tables = tables;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        // A fresh exchange, not the first event's: its flags (duplicate, route stop) and headers
        // would otherwise be copied onto the pull's exchange and into every later page's events.
        Exchange result = oldExchange == null ? new DefaultExchange(newExchange.getContext()) : oldExchange;
        Buffer buffer = result.getProperty(BUFFER, Buffer.class);
        if (buffer == null) {
            buffer = new Buffer();
            result.setProperty(BUFFER, buffer);
        }
        if (!dropped(newExchange)) {
            String table = newExchange.getMessage().getHeader(TABLE, String.class);
            if (table == null) {
                table = tables.tableFor(null);
            }
            if (buffer.count > 0) {
                buffer.text.append('\n');
            }
            format.append(buffer.text, table, json(newExchange.getMessage().getBody()));
            buffer.count++;
        }
        return result;
    }

    @Override
    public void onCompletion(Exchange exchange, Exchange inputExchange) {
        if (exchange == null) {
            return;
        }
        Buffer buffer = exchange.getProperty(BUFFER, Buffer.class);
        exchange.removeProperty(BUFFER);
        int count = buffer == null ? 0 : buffer.count;
        exchange.setProperty(COUNT, count);
        exchange.getMessage().setBody(count == 0 ? null : buffer.text.toString());
    }

    private static boolean dropped(Exchange e) {
        return e.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class)
                || e.isRouteStop()
                || e.getException() != null;
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

    private static final class Buffer {
        final StringBuilder text = new StringBuilder(1 << 16);
        int count;
    }
}
