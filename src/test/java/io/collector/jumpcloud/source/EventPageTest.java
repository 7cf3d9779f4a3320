package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventPageTest {
    static Path samples() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path s = p.resolve("shared/jumpcloud-samples");
            if (Files.isDirectory(s)) {
                return s;
            }
            Path up = p.resolve("../shared/jumpcloud-samples").normalize();
            if (Files.isDirectory(up)) {
                return up;
            }
        }
        throw new IllegalStateException("shared/jumpcloud-samples not found");
    }

    @Test
    void aBodyThatIsNotAnArrayIsShownWithoutItsControlCharacters() {
        // an escape sequence, a line separator and NEL from the answer would clear a terminal or forge a log line
        byte[] body = "\u001b[2J\u2028forged line\u0085 and more".getBytes(StandardCharsets.UTF_8);
        BadPageException e = assertThrows(BadPageException.class, () -> EventPage.parse(PageBody.of(body), null, false, 100));
        assertTrue(e.getMessage().contains("'\\u001b[2J\\u2028forged line\\u0085 and more'"), e.getMessage());
        assertTrue(e.getMessage().chars().noneMatch(c -> c == 0x1b || c == 0x2028 || c == 0x85), e.getMessage());
    }

    /** A byte between two elements, or a cursor, quoted in the reason a pull failed: as the log shows it, escaped. */
    @Test
    void aReasonThatQuotesTheAnswerHasNoControlCharactersInTheLog() {
        for (byte b : new byte[] {0x1b, 0x0c, (byte) 0x85}) {
            byte[] body = ("[{\"id\":\"a\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"service\":\"sso\"}" + (char) (b & 0xff) + "]")
                    .getBytes(StandardCharsets.ISO_8859_1);
            BadPageException e = assertThrows(BadPageException.class, () -> EventPage.parse(PageBody.of(body), null, false, 100));
            String shown = PullLog.reason(e);
            assertTrue(shown.chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)), shown);
            assertTrue(shown.contains(String.format("\\u%04x", b & 0xff)), shown);
        }
        CursorLoopException loop = new CursorLoopException("JumpCloud answered the cursor [\"a\u2028b\u0085\"] a second time");
        assertTrue(PullLog.reason(loop).chars().noneMatch(c -> c == 0x2028 || c == 0x85), PullLog.reason(loop));
    }

    @Test
    void aPageOfMoreElementsThanAskedForIsRefusedBeforeTheyAreKept() {
        // a 64 MB answer could hold 33 million elements "1,": each kept as a set-aside element would
        // fill any heap; events or not, no more than the query asked for are kept
        StringBuilder tiny = new StringBuilder("[1");
        StringBuilder events = new StringBuilder("[");
        for (int i = 0; i < 2_000_000; i++) {
            tiny.append(",1");
        }
        for (int i = 0; i <= 100; i++) {
            events.append(i == 0 ? "" : ",").append("{\"id\":\"e").append(i).append("\",\"timestamp\":\"2024-01-01T00:00:00Z\"}");
        }
        for (String body : List.of(tiny.append(']').toString(), events.append(']').toString())) {
            BadPageException e = assertThrows(BadPageException.class,
                    () -> EventPage.parse(PageBody.of(body.getBytes(StandardCharsets.UTF_8)), null, false, 100));
            assertEquals("the page holds more than the 100 events asked for: not an answer to this query", e.getMessage());
        }
        assertEquals(101, EventPage.parse(PageBody.of(events.toString().getBytes(StandardCharsets.UTF_8)), null, false, 101).size(),
                "as many as asked for is a page");
    }

    @Test
    void keepsEveryRealSampleByteForByteWithItsInstant() throws Exception {
        List<String> lines = new java.util.ArrayList<>();
        for (String f : List.of("directory", "sso", "radius", "mdm", "doc-examples")) {
            lines.addAll(Files.readAllLines(samples().resolve(f + ".ndjson")));
        }
        byte[] body = ("[" + String.join(",", lines) + "]").getBytes(StandardCharsets.UTF_8);
        EventPage page = EventPage.parse(body, null);
        assertEquals(lines.size(), page.size());
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(lines.get(i), page.events().get(i).getJson(), "event " + i + " changed");
        }
        // 0, 3, 8 and 9 fraction digits, all to the nanosecond
        assertEquals(Instant.parse("2023-03-07T13:03:42Z"), byId(page, "B54A6D20-41F7-3FB0-84A6-01CFD7F1481F").getTimestamp());
        assertEquals(Instant.parse("2023-01-14T08:16:06.495Z"), byId(page, "63c264c6c1bd55c1b7e901a4").getTimestamp());
        assertEquals(Instant.parse("2023-03-07T13:01:19.218593680Z"), byId(page, "6407359ff5c3cc91c4d4608b").getTimestamp());
        assertEquals("sso", byId(page, "6407359ff5c3cc91c4d4608b").getService());
        // the documentation examples carry no service field: null when pulling "all"
        assertEquals(null, byId(page, "5e95d60b05e8907888c4e009").getService());
        assertEquals("directory", EventPage.parse(body, "directory").events().stream()
                .filter(e -> e.getId().equals("5e95d60b05e8907888c4e009")).findFirst().orElseThrow().getService());
    }

    @Test
    void multiByteCharactersSurvive() {
        String ev = "{\"id\":\"a1\",\"timestamp\":\"2024-01-01T00:00:00.1Z\",\"service\":\"sso\",\"user\":\"Zoë Ünal ✓ 😀\"}";
        EventPage page = EventPage.parse(("[" + ev + "]").getBytes(StandardCharsets.UTF_8), null);
        assertEquals(ev, page.events().get(0).getJson());
    }

    @Test
    void emptyPage() {
        assertEquals(0, EventPage.parse("[]".getBytes(StandardCharsets.UTF_8), "sso").size());
        assertEquals(0, EventPage.parse(" [ ] ".getBytes(StandardCharsets.UTF_8), "sso").size());
    }

    /** A body that is not a complete JSON array is a transport failure: the request is asked again. */
    @Test
    void refusesBodiesThatAreNotACompleteArray() {
        String good = "{\"id\":\"a1\",\"timestamp\":\"2024-01-01T00:00:00Z\"}";
        for (String bad : List.of("<html>oops</html>", "{\"message\":\"x\"}", "[" + good + ",{\"id\":\"a2\",\"timest",
                "[" + good, "[" + good + "] trailing", "[" + good + " " + good + "]", "")) {
            BadPageException e = assertThrows(BadPageException.class,
                    () -> EventPage.parse(bad.getBytes(StandardCharsets.UTF_8), "sso"), bad);
            assertTrue(e.getMessage().length() > 10);
        }
    }

    /** In a complete array, what is not an event is set aside with its position and reason; the events are kept. */
    @Test
    void setsAsideElementsThatAreNotEventsAndKeepsTheOthers() {
        String a = "{\"id\":\"a1\",\"timestamp\":\"2024-01-01T00:00:00Z\"}";
        String b = "{\"id\":\"b1\",\"timestamp\":\"2024-01-01T00:00:01Z\"}";
        byte[] invalidUtf8 = "{\"id\":\"x1\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"name\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        List<Object[]> cases = List.of(
                new Object[] {"{\"timestamp\":\"2024-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8), "no_id"},
                new Object[] {"{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8), "no_timestamp"},
                new Object[] {"{\"id\":\"x\",\"timestamp\":\"yesterday\"}".getBytes(StandardCharsets.UTF_8), "bad_timestamp"},
                new Object[] {"42".getBytes(StandardCharsets.UTF_8), "not_object"},
                new Object[] {"[1,2]".getBytes(StandardCharsets.UTF_8), "not_object"},
                new Object[] {"{\"id\":\"x\",\"timestamp\":\"2024-01-01T00:00:00Z\",}".getBytes(StandardCharsets.UTF_8), "not_json"},
                new Object[] {invalidUtf8, "not_json"});
        for (Object[] c : cases) {
            byte[] bad = (byte[]) c[0];
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            body.writeBytes(("[" + a + ",").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(bad);
            body.writeBytes(("," + b + "]").getBytes(StandardCharsets.UTF_8));
            EventPage page = EventPage.parse(body.toByteArray(), "sso");
            String what = new String(bad, StandardCharsets.ISO_8859_1);
            assertEquals(List.of("a1", "b1"), page.events().stream().map(DiEvent::getId).toList(), what);
            assertEquals(a, page.events().get(0).getJson());
            assertEquals(b, page.events().get(1).getJson());
            assertEquals(3, page.elements(), "X-Result-Count counts it");
            assertEquals(1, page.quarantined().size(), what);
            EventPage.BadElement e = page.quarantined().get(0);
            assertEquals(c[1], e.reason(), what);
            assertEquals(1, e.index());
            assertEquals(a.length() + 2, e.offset());
            assertTrue(java.util.Arrays.equals(bad, e.raw()), "its bytes as sent: " + what);
        }
    }

    private static DiEvent byId(EventPage page, String id) {
        return page.events().stream().filter(e -> e.getId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void findsALineBreakOrANonAsciiByteAtEveryPosition() {
        String json = "{\"id\":\"5f1b2c3d4e5f60718293a4b5\",\"timestamp\":\"2026-11-01T00:00:00Z\",\"message\":\"abcdefghijklmnopqrstuvwxyz0123456789\"}";
        assertTrue(EventPage.parse(("[" + json + "]").getBytes(StandardCharsets.UTF_8), "sso").events().get(0).isPlainOneLineAscii());
        int msg = json.indexOf("abc");
        for (int i = msg; i < msg + 36; i++) {
            for (String odd : List.of("\\n", "é", "\u2028")) {
                String ev = json.substring(0, i) + odd + json.substring(i);
                DiEvent e = EventPage.parse(("[" + ev + "]").getBytes(StandardCharsets.UTF_8), "sso").events().get(0);
                assertEquals(odd.startsWith("\\"), e.isPlainOneLineAscii(), odd + " at " + i); // an escaped \n is plain text
                assertEquals(ev, e.getJson());
            }
            // whitespace between tokens: a pretty-printed event
            String spaced = json.substring(0, msg - 11) + "\n" + json.substring(msg - 11);
            assertTrue(!EventPage.parse(("[" + spaced + "]").getBytes(StandardCharsets.UTF_8), "sso").events().get(0).isPlainOneLineAscii());
            String cr = json.replace(",\"message\"", ",\r\"message\"");
            assertTrue(!EventPage.parse(("[" + cr + "]").getBytes(StandardCharsets.UTF_8), "sso").events().get(0).isPlainOneLineAscii());
        }
    }

    @Test
    void anEventOfAPageWhoseMemoryWasReusedRefusesToBeRead() throws Exception {
        PageMemory memory = new PageMemory(1);
        PageBody body = memory.acquire(() -> false);
        byte[] page = "[{\"id\":\"a\",\"timestamp\":\"2026-11-01T00:00:00Z\"}]".getBytes(StandardCharsets.UTF_8);
        body.readFrom(new java.io.ByteArrayInputStream(page), page.length);
        DiEvent e = EventPage.parse(body, "sso").events().get(0);
        assertEquals("{\"id\":\"a\",\"timestamp\":\"2026-11-01T00:00:00Z\"}", e.getJson());
        memory.release(body);
        IllegalStateException refused = assertThrows(IllegalStateException.class, e::getJson);
        assertTrue(refused.getMessage().contains("inside the split"), refused.getMessage());
        assertEquals("a", e.getId(), "the id and time stay readable: the checkpoint uses them after delivery");
        // the same array serves the next page
        assertTrue(memory.acquire(() -> false) == body);
    }

    @Test
    void aTruncatedBodyIsAnError() {
        PageBody body = new PageBody(null, 0);
        byte[] half = "[{\"id\":".getBytes(StandardCharsets.UTF_8);
        java.io.EOFException e = assertThrows(java.io.EOFException.class,
                () -> body.readFrom(new java.io.ByteArrayInputStream(half), 100));
        assertTrue(e.getMessage().contains("after 7 of its 100 bytes"), e.getMessage());
    }
}
