package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PagingGuardTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final EventPage EMPTY = EventPage.parse(PageBody.of("[]".getBytes(StandardCharsets.UTF_8)), null);

    static JsonNode cursor(int i, int chars) throws Exception {
        String id = "c" + i;
        return JSON.readTree("[1,\"" + id + "x".repeat(Math.max(0, chars - id.length() - 6)) + "\"]");
    }

    @Test
    void aCursorAnsweredTwiceIsALoop() throws Exception {
        PagingGuard g = new PagingGuard();
        g.check(EMPTY, cursor(1, 40), true);
        g.taken(EMPTY, cursor(1, 40), true);
        g.check(EMPTY, cursor(2, 40), true);
        g.taken(EMPTY, cursor(2, 40), true);
        assertThrows(CursorLoopException.class, () -> g.check(EMPTY, cursor(1, 40), true));
    }

    @Test
    void theCursorsKeptStayWithinTheirBoundWhateverTheirLength() throws Exception {
        // an API whose every page is "full" with a new cursor of 4,000 characters: 100,000 of them
        // would be 800 MB of cursors; what is kept stays within 4 million characters
        PagingGuard g = new PagingGuard();
        long most = 0;
        for (int i = 0; i < 3_000; i++) {
            JsonNode c = cursor(i, 4_000);
            g.check(EMPTY, c, true);
            g.taken(EMPTY, c, true);
            most = Math.max(most, g.keptChars());
        }
        assertTrue(most <= PagingGuard.CURSOR_CHARS_KEPT, "kept at most " + most);
        assertTrue(most > PagingGuard.CURSOR_CHARS_KEPT / 2, "and a loop within the bound is still found: " + most);
        JsonNode again = cursor(2_999, 4_000);
        assertThrows(CursorLoopException.class, () -> g.check(EMPTY, again, true));
    }

    /**
     * An API that answers the same page again under a new cursor (all its events in one millisecond, so
     * the page does not go back in time): the pull ends instead of reading it, and filling the count
     * check's memory with it, forever.
     */
    @Test
    void aPageAnsweredAgainUnderANewCursorIsALoop() throws Exception {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 3; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"e").append(i).append("\",\"timestamp\":\"2026-01-01T00:00:00.123Z\",\"service\":\"sso\"}");
        }
        EventPage page = EventPage.parse(PageBody.of(b.append(']').toString().getBytes(StandardCharsets.UTF_8)), null);
        PagingGuard g = new PagingGuard();
        g.check(page, cursor(1, 40), true);
        g.taken(page, cursor(1, 40), true);
        CursorLoopException e = assertThrows(CursorLoopException.class, () -> g.check(page, cursor(2, 40), true));
        assertTrue(e.getMessage().contains("of the previous page"), e.getMessage());
        g.reset(); // a count-check window fetched again in the same pull reads its own pages
        g.check(page, cursor(1, 40), true);
    }
}
