package io.collector.jumpcloud.source;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.observe.CollectorMetrics;
import io.collector.jumpcloud.state.ServiceState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a pull reads: from the route's checkpoint to JumpCloud's now minus the lag (events indexed
 * up to lag seconds late are there when their second is read), or only the count check's windows
 * when nothing older than the lag is new yet, or nothing at all.
 */
final class QueryPlanner {
    private static final Logger LOG = LoggerFactory.getLogger(QueryPlanner.class);

    private final CollectorSettings settings;
    private final JumpCloudClock jumpCloudClock;
    private final CollectorMetrics metrics;

    QueryPlanner(CollectorSettings settings, JumpCloudClock jumpCloudClock, CollectorMetrics metrics) {
        this.settings = settings;
        this.jumpCloudClock = jumpCloudClock;
        this.metrics = metrics;
    }

    /** A checkpoint further ahead of JumpCloud's now than this was never written by a collector on time. */
    static final java.time.Duration CHECKPOINT_AHEAD = java.time.Duration.ofHours(1);

    /** The next pull of the route, or null when there is nothing to ask JumpCloud now (said in the log). */
    Pull plan(RouteState p) {
        ServiceState s = p.state();
        if (!p.saveUnsaved()) {
            // delivered pages are ahead of the state file: nothing new is asked for until it can be written
            if (p.sayUnsaved()) {
                LOG.warn("[{}] The state file still cannot be written ({}): nothing is asked from JumpCloud until it can", p.name(), p.unsaved());
            }
            metrics.routeProblem(p.service(), p.org(), "the state file cannot be written: " + p.unsaved());
            return null;
        }
        Instant start = s.lastPolledTimestamp();
        Instant now = jumpCloudClock.now(); // JumpCloud's: a clock ahead of it would read seconds not indexed yet
        if (start.isAfter(now)) {
            if (start.isAfter(now.plus(CHECKPOINT_AHEAD)) && p.sayCheckpointAhead()) {
                // never written so (a checkpoint stops at now): a hand edit, or a state saved by a machine whose clock was ahead
                LOG.warn("[{}] The checkpoint {} is ahead of JumpCloud's now {}: nothing newer is read until then. If the state file "
                        + "was edited, or saved by a machine whose clock was ahead, set jumpcloud.historic-date-utc to where the route "
                        + "should start (the state is then reset)", p.name(), start, now);
                metrics.routeProblem(p.service(), p.org(), "its checkpoint " + start + " is ahead of JumpCloud's now");
            }
            start = now; // JumpCloud refuses a start_time in the future (an event stamped ahead of a clock)
        }
        // no end_time with a lag of 0
        Instant end = now.minusSeconds(settings.lagSeconds()).truncatedTo(ChronoUnit.SECONDS);
        boolean pending = p.ledger() != null && !p.ledger().pending().isEmpty();
        boolean withinLag = settings.lagSeconds() > 0 && !end.isAfter(start.truncatedTo(ChronoUnit.SECONDS));
        if (withinLag && !pending) {
            // end_time must come after start_time: nothing older than the lag is new yet
            LOG.info("[{}] Nothing to read yet: the checkpoint {} is within the lag ({} s) of now", p.name(), start, settings.lagSeconds());
            return null;
        }
        Instant mainEnd = end.isAfter(start) ? end : start;
        Pull pull = new Pull(p, UUID.randomUUID().toString(), start, settings.lagSeconds() > 0 ? mainEnd : null, mainEnd,
                p.seen().duplicates());
        if (withinLag) {
            // windows wait to be fetched again: only those (a main query now would have end_time = start_time,
            // which JumpCloud refuses)
            pull.skipMainQuery();
            LOG.info("[{}] Pull Started (@devo_pulling_id={}) for the count check's windows only: the checkpoint {} is within the lag",
                    p.name(), pull.pullingId(), start);
            return pull;
        }
        LOG.info("[{}] Pull Started (@devo_pulling_id={}) from start_time {}{}", p.name(), pull.pullingId(), EventTimestamps.queryTime(start),
                pull.endTime() == null ? "" : " to end_time " + EventTimestamps.queryTime(pull.endTime()));
        return pull;
    }
}
