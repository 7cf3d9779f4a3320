package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One request of the events endpoint, fixed when it is asked for: a pull asks for its next page while
 * it delivers the current one, so the request must not read the pull's position later.
 *
 * @param window      the query is the re-fetch of a count-check window [start, end), not the main query
 * @param searchAfter the previous page's {@code X-Search_after}, or null for a query's first page
 * @param limit       events asked for
 * @param reduced     the limit is below the page size because answers were too large (jumpcloud.max-page-bytes)
 */
public record PageQuery(String service, String org, Instant start, Instant end, boolean window, JsonNode searchAfter, int limit,
                        boolean reduced) {

    /** The request of the page after the one this request answers, which ends at {@code cursor}. */
    PageQuery after(JsonNode cursor, int fullLimit) {
        return new PageQuery(service, org, start, end, window, cursor, fullLimit, false);
    }

    /** Whether a page asked for ahead was asked for exactly this position. */
    boolean samePosition(PageQuery other) {
        return other != null && service.equals(other.service) && Objects.equals(org, other.org) && start.equals(other.start)
                && Objects.equals(end, other.end) && window == other.window && Objects.equals(searchAfter, other.searchAfter)
                && limit == other.limit;
    }
}
