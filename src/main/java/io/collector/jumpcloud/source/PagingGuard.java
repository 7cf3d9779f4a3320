package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Set;

/**
 * That one query's paging moves forward: a full page's cursor not seen before in the query, and no
 * page older than the last one's newest event (JumpCloud sorts to the millisecond). A hostile or
 * broken API that loops or goes back stops the pull ({@link CursorLoopException}, PullError 305)
 * instead of sending the same events forever.
 */
final class PagingGuard {
    /** Bounded: a loop is short, and a query of millions of pages must not grow memory. */
    private static final int CURSORS_KEPT = 100_000;
    /** And by size: 100,000 cursors of 4,096 characters (the longest taken) would be 800 MB. */
    static final long CURSOR_CHARS_KEPT = 4_000_000;

    private final Set<JsonNode> cursors = new HashSet<>();
    private long cursorChars;
    private Instant newestSoFar;
    private String previousFirstId;
    private String previousLastId;

    /** Before a page is taken: throws when it repeats a cursor or goes back. */
    void check(EventPage page, JsonNode cursor, boolean more) {
        if (more && cursor != null && cursors.contains(cursor)) {
            throw new CursorLoopException("JumpCloud answered the cursor " + abbreviate(cursor.toString())
                    + " a second time in this pull: its paging loops");
        }
        if (page.size() > 0 && previousFirstId != null && page.events().get(0).getId() != null
                && (page.events().get(0).getId().equals(previousFirstId) || page.events().get(0).getId().equals(previousLastId))) {
            // search_after moves past the previous page's last event: a page that starts with one of its events repeats it
            throw new CursorLoopException("JumpCloud answered a page starting with the event " + abbreviate(page.events().get(0).getId())
                    + " of the previous page: its paging loops");
        }
        if (page.size() > 0 && newestSoFar != null) {
            Instant oldest = page.events().get(0).getTimestamp();
            for (DiEvent e : page) {
                if (e.getTimestamp().isBefore(oldest)) {
                    oldest = e.getTimestamp();
                }
            }
            if (oldest.truncatedTo(ChronoUnit.MILLIS).isBefore(newestSoFar)) {
                throw new CursorLoopException("JumpCloud answered a page starting at " + oldest + ", before the previous page's "
                        + newestSoFar + ": its paging goes back");
            }
        }
    }

    /** The page was taken. */
    void taken(EventPage page, JsonNode cursor, boolean more) {
        if (more && cursor != null) {
            remember(cursor);
        }
        if (page.size() > 0) {
            previousFirstId = page.events().get(0).getId();
            previousLastId = page.events().get(page.size() - 1).getId();
        }
        for (DiEvent e : page) {
            Instant t = e.getTimestamp().truncatedTo(ChronoUnit.MILLIS);
            if (newestSoFar == null || t.isAfter(newestSoFar)) {
                newestSoFar = t;
            }
        }
    }

    /**
     * One event too large to read is skipped, the pull going on after {@code cursor}: an API whose
     * answers are all too large while its cursors go round would otherwise be skipped through forever.
     */
    void skipped(JsonNode cursor) {
        if (cursors.contains(cursor)) {
            throw new CursorLoopException("JumpCloud answered the cursor " + abbreviate(cursor.toString())
                    + " a second time in this pull, after an answer too large to read: its paging loops");
        }
        remember(cursor);
    }

    private void remember(JsonNode cursor) {
        int chars = cursor.toString().length();
        if (cursors.size() >= CURSORS_KEPT || cursorChars + chars > CURSOR_CHARS_KEPT) {
            cursors.clear();
            cursorChars = 0;
        }
        if (cursors.add(cursor)) {
            cursorChars += chars;
        }
    }

    /** The characters of the cursors kept (tests). */
    long keptChars() {
        return cursorChars;
    }

    /** A new query starts (a count check's window). */
    void reset() {
        cursors.clear();
        cursorChars = 0;
        newestSoFar = null;
        previousFirstId = null;
        previousLastId = null;
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
