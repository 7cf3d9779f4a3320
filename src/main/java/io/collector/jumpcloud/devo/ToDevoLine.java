package io.collector.jumpcloud.devo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.collector.jumpcloud.source.DiEvent;
import io.collector.jumpcloud.source.EventHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * The route's {@code devoLine} step: the event (or what the route's steps made of it) becomes its
 * Devo line, in the table the header {@value DevoLines#TABLE} names (the fallback table when none).
 * An event as JumpCloud sent it keeps its bytes; any other body is written as one line of JSON. A
 * line over devo.max-line-bytes becomes a {@link DevoLines.TooLong}: it goes to the quarantine file,
 * never to a relay that would cut it.
 */
public final class ToDevoLine implements Processor {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DevoLineFormat format;
    private final DevoTables tables;
    private final int maxLineBytes;

    public ToDevoLine(DevoLineFormat format, DevoTables tables, int maxLineBytes) {
        this.format = format;
        this.tables = tables;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void process(Exchange exchange) {
        Message m = exchange.getMessage();
        // the raw header: no type conversion per event
        Object t = m.getHeader(DevoLines.TABLE);
        String service = null;
        String table;
        boolean notATable = false;
        if (t == null) {
            service = (String) m.getHeader(EventHeaders.SERVICE);
            table = tables.tableFor(service); // a route that set no table: the fallback, counted
        } else {
            String named = t.toString();
            table = tables.checkedTable(named); // a route may build it from data: a table name, or the fallback
            notATable = !table.equals(named);
        }
        String fallback = null;
        if (table.equals(tables.fallbackTable())) { // the header lookup only for the rare fallback event
            service = service != null ? service : (String) m.getHeader(EventHeaders.SERVICE);
            if (notATable || tables.isFallback(table, service)) {
                fallback = tables.label(service);
            }
        }
        byte[] prefix = format.prefix(table);
        Object body = m.getBody();
        if (body instanceof DiEvent e && e.isPlainOneLineAscii()) {
            line(m, prefix, e, e.jsonLength(), fallback, e.getId());
        } else {
            byte[] json = json(body).getBytes(StandardCharsets.UTF_8);
            line(m, prefix, json, json.length, fallback, (String) m.getHeader(EventHeaders.ID));
        }
    }

    private void line(Message m, byte[] prefix, Object payload, int length, String fallback, String id) {
        long bytes = prefix.length + (long) length + 1;
        if (bytes > maxLineBytes) {
            byte[] json = payload instanceof DiEvent e ? e.getJson().getBytes(StandardCharsets.UTF_8) : (byte[]) payload;
            m.setBody(new DevoLines.TooLong(id, (int) Math.min(Integer.MAX_VALUE, bytes), json, maxLineBytes));
        } else {
            m.setBody(new DevoLine(prefix, payload, length, fallback));
        }
    }

    /** The event as sent by JumpCloud, or what a route step turned it into, as one line of JSON. */
    private static String json(Object body) {
        if (body instanceof DiEvent e) {
            String s = e.getJson();
            return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? s : compact(s);
        }
        if (body instanceof CharSequence s) {
            String text = s.toString();
            return text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text : compact(text);
        }
        if (body instanceof byte[] b) {
            return json(new String(b, StandardCharsets.UTF_8));
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (Exception ex) {
            throw new IllegalArgumentException("cannot write the event as JSON: " + ex.getMessage(), ex);
        }
    }

    /** Pretty-printed JSON would break the one-line framing: re-written compactly, values unchanged. */
    private static String compact(String json) {
        try {
            return JSON.writeValueAsString(JSON.readTree(json));
        } catch (Exception ex) {
            // not JSON: the line breaks are escaped, so the text stays one line
            return json.replace("\r", "\\r").replace("\n", "\\n");
        }
    }
}
