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
 *
 * <p>A page that is not a complete JSON array is a transport failure ({@link BadPageException}: the
 * request is asked again). In a complete array, an element that is not a usable event (broken JSON
 * or UTF-8, not an object, no id, an unreadable timestamp) does not fail the page: it is set aside
 * as {@link #quarantined()} with its position and reason, and the other events are delivered.
 */
public final class EventPage implements Iterable<DiEvent> {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final List<DiEvent> events;
    private final List<BadElement> quarantined;
    private final int elements;

    private EventPage(List<DiEvent> events, List<BadElement> quarantined, int elements) {
        this.events = events;
        this.quarantined = quarantined;
        this.elements = elements;
    }

    /**
     * An element of the page that is not a usable event.
     *
     * @param index  its position in the page (0-based)
     * @param offset its first byte in the body
     * @param reason a fixed word for metrics: not_json, not_object, no_id, no_timestamp, bad_timestamp
     * @param detail what is wrong, for the log
     * @param raw    its bytes as JumpCloud sent them
     */
    public record BadElement(int index, int offset, String reason, String detail, byte[] raw) {
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
        return parse(page, defaultService, false);
    }

    /** As {@link #parse(PageBody, String)}; {@code withOrganization}: each event keeps its {@code organization} field too. */
    public static EventPage parse(PageBody page, String defaultService, boolean withOrganization) {
        return parse(page, defaultService, withOrganization, Integer.MAX_VALUE);
    }

    /**
     * As {@link #parse(PageBody, String, boolean)}, for a query that asked for {@code maxElements}: a
     * page holding more is not its answer ({@link BadPageException}), found before more than that many
     * elements are kept (a page of millions of tiny elements would otherwise fill the heap).
     */
    public static EventPage parse(PageBody page, String defaultService, boolean withOrganization, int maxElements) {
        byte[] body = page.bytes() == null ? new byte[0] : page.bytes();
        int length = page.length();
        try {
            return fast(page, body, length, defaultService, withOrganization, maxElements);
        } catch (TooManyElements e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // something in it is not an event: find the elements, keep the good ones, set the others aside
            return tolerant(page, body, length, defaultService, withOrganization, maxElements);
        }
    }

    /** More elements than the query asked for. */
    static final class TooManyElements extends BadPageException {
        TooManyElements(int max) {
            super("the page holds more than the " + max + " events asked for: not an answer to this query");
        }
    }

    /** The usual page: one pass, every element an event. Throws on anything else. */
    private static EventPage fast(PageBody page, byte[] body, int length, String defaultService, boolean withOrganization,
                                  int maxElements) throws IOException {
        List<DiEvent> events = new ArrayList<>();
        try (JsonParser p = JSON.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new BadPageException("not an array");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
                if (events.size() == maxElements) {
                    throw new TooManyElements(maxElements);
                }
                int start = (int) p.currentTokenLocation().getByteOffset();
                DiEvent e = event(p, page, start, defaultService, withOrganization);
                if (e == null) {
                    throw new BadPageException("not an event");
                }
                events.add(e);
            }
            if (t != JsonToken.END_ARRAY || p.nextToken() != null) {
                throw new BadPageException("not only events");
            }
        }
        return new EventPage(Collections.unmodifiableList(events), List.of(), events.size());
    }

    /** Reads the object the parser stands at the start of; null if it has no id or timestamp. */
    private static DiEvent event(JsonParser p, PageBody page, int start, String defaultService, boolean withOrganization)
            throws IOException {
        String id = null;
        String organization = null;
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
                    case "organization" -> organization = withOrganization ? p.getText() : null;
                    default -> { }
                }
            } else {
                p.skipChildren();
            }
        }
        int end = (int) p.currentLocation().getByteOffset();
        if (id == null || id.isEmpty() || timestamp == null) {
            return null;
        }
        Instant ts = EventTimestamps.parse(timestamp);
        return new DiEvent(page, start, end - start, id, ts, service != null ? service : defaultService, organization);
    }

    /**
     * Finds each element of the array by its brackets and quotes alone (bytes that are not valid
     * UTF-8 cannot mislead it), then reads each one on its own. A body whose array is not complete
     * is a {@link BadPageException}.
     */
    private static EventPage tolerant(PageBody page, byte[] body, int length, String defaultService, boolean withOrganization,
                                      int maxElements) {
        List<DiEvent> events = new ArrayList<>();
        List<BadElement> bad = new ArrayList<>();
        int i = JsonBytes.skipSpace(body, 0, length);
        if (i >= length || body[i] != '[') {
            throw new BadPageException("the events endpoint answered 200 with a body that is not a JSON array: " + preview(body, 0, length));
        }
        i = JsonBytes.skipSpace(body, i + 1, length);
        int index = 0;
        if (i < length && body[i] == ']') {
            i++;
        } else {
            while (true) {
                if (index == maxElements) {
                    throw new TooManyElements(maxElements);
                }
                int start = i;
                int end = JsonBytes.valueEnd(body, i, length);
                if (end < 0) {
                    throw new BadPageException("the page is not complete JSON (element " + (index + 1) + " at byte " + start
                            + " does not end), " + length + " bytes received");
                }
                element(page, body, start, end, index++, defaultService, withOrganization, events, bad);
                i = JsonBytes.skipSpace(body, end, length);
                if (i >= length) {
                    throw new BadPageException("the page is not complete JSON (the array does not end), " + length + " bytes received");
                }
                if (body[i] == ']') {
                    i++;
                    break;
                }
                if (body[i] != ',') {
                    throw new BadPageException("the page is not complete JSON (byte " + i + " is '" + (char) (body[i] & 0xff)
                            + "' between two elements), " + length + " bytes received");
                }
                i = JsonBytes.skipSpace(body, i + 1, length);
            }
        }
        if (JsonBytes.skipSpace(body, i, length) != length) {
            throw new BadPageException("the page goes on after its array ends (byte " + i + "), " + length + " bytes received");
        }
        return new EventPage(Collections.unmodifiableList(events), Collections.unmodifiableList(bad), index);
    }

    private static void element(PageBody page, byte[] body, int start, int end, int index, String defaultService, boolean withOrganization,
                                List<DiEvent> events, List<BadElement> bad) {
        byte[] raw = java.util.Arrays.copyOfRange(body, start, end);
        if (body[start] != '{') {
            bad.add(new BadElement(index, start, "not_object", "not a JSON object", raw));
            return;
        }
        try (JsonParser p = JSON.createParser(body, start, end - start)) {
            p.nextToken();
            DiEvent e;
            try {
                e = event(p, page, 0, defaultService, withOrganization);
            } catch (IOException ex) {
                bad.add(new BadElement(index, start, "not_json", "not valid JSON (" + jsonMessage(ex) + ")", raw));
                return;
            } catch (RuntimeException ex) {
                bad.add(new BadElement(index, start, "bad_timestamp", "an unreadable timestamp", raw));
                return;
            }
            if (p.nextToken() != null) {
                bad.add(new BadElement(index, start, "not_json", "not valid JSON (more after the object)", raw));
                return;
            }
            if (e == null) {
                boolean noId = !hasStringField(body, start, end, "id");
                bad.add(new BadElement(index, start, noId ? "no_id" : "no_timestamp",
                        noId ? "no id" : "no timestamp", raw));
                return;
            }
            // the parser's offsets are relative to the element: the event's bytes are [start, end)
            events.add(new DiEvent(page, start, end - start, e.getId(), e.getTimestamp(), e.getService(), e.getOrganization()));
        } catch (IOException ex) {
            bad.add(new BadElement(index, start, "not_json", "not valid JSON (" + jsonMessage(ex) + ")", raw));
        }
    }

    private static boolean hasStringField(byte[] body, int start, int end, String field) {
        try (JsonParser p = JSON.createParser(body, start, end - start)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals(field) && v == JsonToken.VALUE_STRING && !p.getText().isEmpty()) {
                    return true;
                }
                p.skipChildren();
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private static String jsonMessage(IOException e) {
        String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        m = m.replaceAll("\\s+", " ");
        return m.length() > 120 ? m.substring(0, 120) + "…" : m;
    }

    private static String preview(byte[] body, int from, int length) {
        int n = Math.min(120, length - from);
        // LogSafe: an answer's control characters (an escape sequence, a line separator) never reach the log as they are
        return '\'' + io.collector.jumpcloud.observe.LogSafe.text(new String(body, from, Math.max(n, 0), java.nio.charset.StandardCharsets.UTF_8)
                .replaceAll("\\s+", " "), 120) + (n < length - from ? "…'" : "'");
    }

    /**
     * The same page without the events {@code delivered} says were delivered before (their bytes stay
     * where they are); the elements set aside stay with it.
     */
    EventPage without(java.util.function.Predicate<DiEvent> delivered) {
        List<DiEvent> kept = new ArrayList<>(events.size());
        for (DiEvent e : events) {
            if (!delivered.test(e)) {
                kept.add(e);
            }
        }
        return kept.size() == events.size() ? this : new EventPage(Collections.unmodifiableList(kept), quarantined, elements);
    }

    /** The events to deliver. */
    public int size() {
        return events.size();
    }

    /** Every element of the array, events and quarantined ones (what X-Result-Count counts). */
    public int elements() {
        return elements;
    }

    public List<DiEvent> events() {
        return events;
    }

    /** The elements set aside, in page order; empty for an ordinary page. */
    public List<BadElement> quarantined() {
        return quarantined;
    }

    @Override
    public Iterator<DiEvent> iterator() {
        return events.iterator();
    }
}
