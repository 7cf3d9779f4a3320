package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A page as the page request route ({@code direct:jumpcloud-page}) answers it: the checked events,
 * the cursor of the next page and whether there is one (a full page).
 */
public record FetchedPage(EventPage page, JsonNode cursor, boolean full) {
}
