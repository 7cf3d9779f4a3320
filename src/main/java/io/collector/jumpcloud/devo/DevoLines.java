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
 * The body that leaves the split is the page's lines as UTF-8 bytes, LF-separated without the final
 * LF ({@link DevoLineFramer} on the relay connection and stream:out each end the last line).
 * <p>
 * No String is made per event or per page: each line is noted as its header bytes (cached per table
 * and second) and the event's byte range in the page JumpCloud sent, and the page's lines are copied
 * once into one array of exactly their size when the split completes. A page used to cost the JSON
 * decoded to a String per event, a growing StringBuilder, its copy to a String, another copy with the
 * LF appended and a UTF-8 encode into a 3x-sized buffer on the event loop.
 */
public final class DevoLines implements AggregationStrategy {
    /** Header carrying the Devo table, set by the route's content-based router. */
    public static final String TABLE = "DevoTable";
    /** Exchange property: how many lines the body holds after the split. */
    public static final String COUNT = "devoLines";
    /** Exchange property a hand-edited route sets to true to keep an event out of Devo (README "Editing the routes"). */
    public static final String DROP = "devoDrop";
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
            Object body = newExchange.getMessage().getBody();
            byte[] prefix = format.prefix(table);
            if (body instanceof DiEvent e && e.isPlainOneLineAscii()) {
                buffer.add(prefix, e, e.jsonLength());
            } else {
                byte[] json = json(body).toString().getBytes(StandardCharsets.UTF_8);
                buffer.add(prefix, json, json.length);
            }
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
        exchange.getMessage().setBody(count == 0 ? null : buffer.lines());
    }

    private static boolean dropped(Exchange e) {
        return e.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class)
                || e.getProperty(DROP, false, Boolean.class)
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

    /** A page's lines, noted as (header, payload) pairs until the split completes. */
    private static final class Buffer {
        private byte[][] prefixes = new byte[1024][];
        private Object[] payloads = new Object[1024]; // DiEvent (its bytes in the page) or byte[]
        private int[] lengths = new int[1024];
        private long bytes;
        int count;

        void add(byte[] prefix, Object payload, int length) {
            if (count == prefixes.length) {
                int n = count * 2;
                prefixes = java.util.Arrays.copyOf(prefixes, n);
                payloads = java.util.Arrays.copyOf(payloads, n);
                lengths = java.util.Arrays.copyOf(lengths, n);
            }
            prefixes[count] = prefix;
            payloads[count] = payload;
            lengths[count] = length;
            count++;
            bytes += prefix.length + length + 1L;
        }

        /** The lines, LF-separated, without the final LF, in one array of exactly their size. */
        byte[] lines() {
            long total = bytes - 1;
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a page of " + count + " lines holds " + total + " bytes: more than one body can carry");
            }
            byte[] out = new byte[(int) total];
            int at = 0;
            for (int i = 0; i < count; i++) {
                if (i > 0) {
                    out[at++] = '\n';
                }
                byte[] p = prefixes[i];
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
                if (payloads[i] instanceof DiEvent e) {
                    at = e.copyJsonTo(out, at);
                } else {
                    System.arraycopy((byte[]) payloads[i], 0, out, at, lengths[i]);
                    at += lengths[i];
                }
            }
            return out;
        }
    }
}
