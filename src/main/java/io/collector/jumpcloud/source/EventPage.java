package io.collector.jumpcloud.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * One page of the events endpoint. The body is scanned once with Jackson's streaming parser: each
 * event keeps only its id, timestamp, service and its byte range in the body, so a 10,000-event page
 * costs the body plus a small index, not a tree or a copy per event.
 */
public final class EventPage implements Iterable<DiEvent> {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final List<DiEvent> events;

    private EventPage(List<DiEvent> events) {
        this.events = events;
    }

    /**
     * Parses a page. {@code defaultService} is used for events without a {@code service} field
     * (null when pulling {@code all}: such an event then goes to the fallback table).
     */
    public static EventPage parse(byte[] body, String defaultService) {
        return parse(PageBody.of(body), defaultService);
    }

    /** Parses a page read into {@code page} (its first {@code page.length()} bytes). */
    public static EventPage parse(PageBody page, String defaultService) {
        List<DiEvent> events = new ArrayList<>();
        byte[] body = page.bytes() == null ? new byte[0] : page.bytes();
        int length = page.length();
        try (JsonParser p = JSON.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new BadPageException("the events endpoint answered 200 with a body that is not a JSON array: " + preview(body, 0, length));
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
                int start = (int) p.currentTokenLocation().getByteOffset();
                String id = null;
                String timestamp = null;
                String service = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken v = p.nextToken();
                    if (v == JsonToken.VALUE_STRING) {
                        switch (name) {
                            case "id" -> id = p.getText();
                            case "timestamp" -> timestamp = p.getText();
                            case "service" -> service = p.getText();
                            default -> { }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                int end = (int) p.currentLocation().getByteOffset();
                if (id == null || timestamp == null) {
                    throw new BadPageException("an event without " + (id == null ? "an id" : "a timestamp")
                            + " at byte " + start + " of the page: " + preview(body, start, length));
                }
                Instant ts;
                try {
                    ts = EventTimestamps.parse(timestamp);
                } catch (RuntimeException e) {
                    throw new BadPageException("event " + id + " has an unreadable timestamp '" + timestamp + "'");
                }
                events.add(new DiEvent(page, start, end - start, id, ts, service != null ? service : defaultService));
            }
            if (t != JsonToken.END_ARRAY) {
                throw new BadPageException("the page holds something other than event objects at byte "
                        + p.currentTokenLocation().getByteOffset());
            }
        } catch (IOException e) {
            throw new BadPageException("the page is not complete JSON (" + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + "), "
                    + length + " bytes received", e);
        }
        return new EventPage(Collections.unmodifiableList(events));
    }

    private static String preview(byte[] body, int from, int length) {
        int n = Math.min(120, length - from);
        return '\'' + new String(body, from, Math.max(n, 0), java.nio.charset.StandardCharsets.UTF_8).replaceAll("\\s+", " ") + (n < length - from ? "…'" : "'");
    }

    public int size() {
        return events.size();
    }

    public List<DiEvent> events() {
        return events;
    }

    @Override
    public Iterator<DiEvent> iterator() {
        return events.iterator();
    }
}
