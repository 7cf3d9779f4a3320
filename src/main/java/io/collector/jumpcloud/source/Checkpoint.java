package io.collector.jumpcloud.source;

import io.collector.jumpcloud.state.ServiceState;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Folds delivered events into the next checkpoint: the newest instant, and the ids of the events in
 * that instant's whole second. Queries start at the whole second (the form JumpCloud documents), so
 * every event of that second comes back on the next pull and these ids drop exactly those.
 */
final class Checkpoint {
    private Instant newest;
    private long second;
    private final Set<String> idsInSecond = new LinkedHashSet<>();
    private final Instant historicDate;

    Checkpoint(ServiceState from) {
        this.newest = from.lastPolledTimestamp();
        this.second = newest.getEpochSecond();
        this.historicDate = from.historicDate();
        idsInSecond.addAll(from.idsWithSameTimestamp());
    }

    /**
     * An event stamped later than {@code now} (a clock ahead somewhere) counts as stamped now: a
     * checkpoint in the future would make every later query start after events still to come.
     */
    void add(DiEvent e, Instant now) {
        Instant ts = e.getTimestamp().isAfter(now) ? now : e.getTimestamp();
        long s = ts.getEpochSecond();
        if (s > second) {
            second = s;
            idsInSecond.clear();
        }
        if (s == second) {
            idsInSecond.add(e.getId());
        }
        if (ts.isAfter(newest)) {
            newest = ts;
        }
    }

    ServiceState toState() {
        return new ServiceState(newest, historicDate, java.util.List.copyOf(idsInSecond));
    }
}
