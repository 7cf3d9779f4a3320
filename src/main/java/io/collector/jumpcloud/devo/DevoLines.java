package io.collector.jumpcloud.devo;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;

/**
 * The split's aggregation strategy: joins the Devo lines of a page's events ({@link DevoLine}, what
 * the route's {@code devoLine} step made) into one body, so a page is one write on the TLS connection
 * rather than one write and flush per event. An event whose steps did not end with its line (a
 * filter it did not pass, a duplicate) or that a step stopped is not in it; an event that failed
 * fails the page (the checkpoint stays and the page is read again).
 * The body that leaves the split is a {@link DevoPage} (or null when no line was made): no String
 * and no array per event or per page; {@link DevoLineFramer} copies the lines straight into the
 * relay connection's pooled buffers.
 */
public final class DevoLines implements AggregationStrategy {
    /** Header carrying the Devo table, set by the route's content-based router. */
    public static final String TABLE = "DevoTable";
    /** Exchange property: how many lines the body holds after the split. */
    public static final String COUNT = "devoLines";
    /** Exchange property: the page's lines sent to the fallback table, by event service (a map; absent when none). */
    public static final String FALLBACK = "devoFallbackLines";
    /** Exchange property: the page's events whose line is over devo.max-line-bytes (a list of {@link TooLong}; absent when none). */
    public static final String TOO_LONG = "devoLinesTooLong";
    private static final String BUFFER = "devoLinesBuffer";

    /** An event kept out of Devo because its line would be over devo.max-line-bytes: it goes to the quarantine file. */
    public record TooLong(String id, int lineBytes, byte[] json, int maxLineBytes) {
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        // A fresh exchange, not the first event's: its flags (duplicate, route stop) and headers
        // would otherwise be copied onto the page's exchange.
        Exchange result = oldExchange == null ? new DefaultExchange(newExchange.getContext()) : oldExchange;
        DevoPage buffer = result.getProperty(BUFFER, DevoPage.class);
        if (buffer == null) {
            buffer = new DevoPage();
            result.setProperty(BUFFER, buffer);
        }
        if (newExchange.getException() != null) {
            result.setException(newExchange.getException()); // the page fails: read again by the next pull
        } else if (!newExchange.isRouteStop()) {
            Object body = newExchange.getMessage().getBody();
            if (body instanceof DevoLine line) {
                buffer.add(line.prefix(), line.payload(), line.payloadLength());
                if (line.fallbackService() != null) {
                    buffer.fallback(line.fallbackService());
                }
            } else if (body instanceof TooLong t) {
                buffer.tooLong(t);
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
            exchange.removeProperty(FALLBACK);
        }
        if (buffer != null && !buffer.tooLong().isEmpty()) {
            exchange.setProperty(TOO_LONG, buffer.tooLong());
        } else {
            exchange.removeProperty(TOO_LONG);
        }
        exchange.getMessage().setBody(count == 0 ? null : buffer);
    }
}
