package io.collector.jumpcloud.source;

import io.collector.jumpcloud.devo.DevoLineFramer;
import io.collector.jumpcloud.devo.DevoLines;
import io.collector.jumpcloud.observe.CollectorMetrics;
import io.collector.jumpcloud.observe.LogSafe;
import io.collector.jumpcloud.state.Quarantine;
import io.collector.jumpcloud.state.ServiceState;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit of one page, on its exchange's completion (as camel-aws2-s3 deletes an object and
 * camel-kafka commits an offset): when the route completed the page, whatever its steps did with
 * each event (sent it, dropped it, sent it elsewhere too), the checkpoint moves past the page and the
 * page's ids count as delivered; when the route failed it (the relay down), the page's ids are
 * forgotten and the checkpoint stays, so the next pull reads the page again.
 */
final class PageCommit extends SynchronizationAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PageCommit.class);

    private final Pull pull;
    private final EventPage page;
    private final EventPage toSend;
    private final PageFetcher fetcher;
    private final CollectorMetrics metrics;
    private final Quarantine quarantine;
    private final PullLog log;
    private final JumpCloudClock jumpCloudClock;
    private final Clock clock;
    private final long duplicatesBefore;

    /** @param page the page as JumpCloud sent it (the checkpoint moves over all of it); {@code toSend} what the route gets */
    PageCommit(Pull pull, EventPage page, EventPage toSend, PageFetcher fetcher, JumpCloudSource source) {
        this.pull = pull;
        this.page = page;
        this.toSend = toSend;
        this.fetcher = fetcher;
        this.metrics = source.metrics();
        this.quarantine = source.quarantine();
        this.log = source.log();
        this.jumpCloudClock = source.jumpCloudClock();
        this.clock = source.clock();
        this.duplicatesBefore = pull.puller().seen().duplicates() - (page.size() - toSend.size());
    }

    /** The events the route is given. */
    EventPage toSend() {
        return toSend;
    }

    /**
     * No checkpoint goes past the query's end_time (nor past now): an API that answers with events
     * after it would otherwise move the checkpoint over events inside the lag not indexed yet.
     */
    private Instant checkpointBound() {
        Instant now = jumpCloudClock.now();
        Instant end = pull.endTime();
        return end != null && end.isBefore(now) ? end : now;
    }

    @Override
    public void onComplete(Exchange exchange) {
        Object count = exchange.getProperty(DevoLines.COUNT);
        int lines = count instanceof Number n ? n.intValue() : 0;
        long bytes = lines == 0 ? 0 : DevoLineFramer.wireLength(exchange.getMessage().getBody());
        int duplicates = (int) (pull.puller().seen().duplicates() - duplicatesBefore);
        List<?> tooLong = exchange.getProperty(DevoLines.TOO_LONG) instanceof List<?> l ? l : List.of();
        // the dead letters first: a process killed between the two may write one twice, never lose one
        quarantine(exchange, tooLong);
        ServiceState s;
        try {
            s = pull.puller().commit(page, checkpointBound());
        } catch (StateWriteException e) {
            pull.failWith(e); // the consumer ends the pull: nothing new is asked for until the file can be written
            metrics.routeProblem(pull.service(), pull.org(), "the state file cannot be written: " + e.getMessage());
            countSent(exchange, lines, bytes);
            return;
        } finally {
            fetcher.delivered(); // its body may leave memory: the next page's body may be read
        }
        pull.delivered(lines);
        countSent(exchange, lines, bytes);
        metrics.duplicates(pull.service(), pull.org(), duplicates);
        if (pull.refetching() != null) {
            pull.recovered(lines);
            metrics.recovered(pull.service(), pull.org(), lines);
        }
        log.progress(pull, s.lastPolledTimestamp());
        log.delivered(pull, lines, duplicates, Math.max(0, page.size() - lines - duplicates - tooLong.size()), s.lastPolledTimestamp());
        LOG.debug("[{}] Saved state: {}", pull.name(), pull.puller().describe(s));
    }

    private void countSent(Exchange exchange, int lines, long bytes) {
        metrics.sent(pull.service(), pull.org(), lines, bytes);
        if (exchange.getProperty(DevoLines.FALLBACK) instanceof Map<?, ?> fallback && lines > 0) {
            fallback.forEach((eventService, n) -> metrics.fallback(pull.service(), pull.org(), (String) eventService, ((Number) n).longValue()));
        }
        metrics.pageDelivered(pull.service(), pull.org());
        if (lines > 0) {
            metrics.devoWritten();
        }
    }

    @Override
    public void onFailure(Exchange exchange) {
        Exception e = exchange.getException();
        // the page came and the route failed it: mostly the Devo side
        metrics.devoFailed(e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage());
        fetcher.delivered();
        pull.failWith(new PageNotDelivered(e == null ? new IllegalStateException("the route failed the page") : e));
    }

    /**
     * The page's elements that are not events, and the events whose line is over devo.max-line-bytes,
     * go to the route's quarantine file (written when the page is delivered, so a page read again
     * after a failure is not set aside twice; and before its checkpoint is saved, so a kill between
     * the two cannot lose the entry); each is said once in the log and counted.
     */
    private void quarantine(Exchange exchange, List<?> tooLong) {
        String key = pull.puller().stateKey();
        for (EventPage.BadElement b : page.quarantined()) {
            if (!pull.puller().firstQuarantine(b.raw())) {
                continue; // set aside already (the checkpoint's second read again)
            }
            String position = "element " + (b.index() + 1) + " of " + page.elements() + " of " + pull.pagePosition()
                    + " (byte " + b.offset() + ")";
            quarantine.write(key, pull.name(), b.reason(), position, b.raw().length, b.raw(), clock.instant());
            metrics.quarantined(pull.service(), pull.org(), b.reason());
            LOG.warn("[{}] Quarantined {}: {}; written to {}. The other events of the page are delivered.", pull.name(), position,
                    b.detail(), quarantine.file(key).toAbsolutePath());
        }
        for (Object o : tooLong) {
            DevoLines.TooLong t = (DevoLines.TooLong) o;
            String position = "event " + LogSafe.text(t.id(), 80) + " of " + pull.pagePosition();
            quarantine.write(key, pull.name(), "line_too_long", position, t.lineBytes(), t.json(), clock.instant());
            metrics.quarantined(pull.service(), pull.org(), "line_too_long");
            LOG.warn("[{}] Quarantined {}: its Devo line of {} bytes is over devo.max-line-bytes ({}); a relay would cut it into "
                    + "lines that reach no table. Written to {}.", pull.name(), position, t.lineBytes(), t.maxLineBytes(),
                    quarantine.file(key).toAbsolutePath());
        }
    }
}
