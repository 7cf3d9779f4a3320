package io.collector.jumpcloud.source;

import io.collector.jumpcloud.dedup.IdFingerprint;
import io.collector.jumpcloud.dedup.SecondIds;
import java.time.Instant;

/**
 * Folds a delivered page into the next checkpoint: the newest instant, and the ids of the events in
 * that instant's whole second, added to the second's exact record. Queries start at the whole second
 * (the form JumpCloud documents), so every event of that second comes back on the next pull and the
 * record drops exactly those.
 */
final class Checkpoint {
    private Instant newest;

    Checkpoint(Instant newest) {
        this.newest = newest;
    }

    /**
     * The page's newest instant. An event stamped later than {@code now} (a clock ahead somewhere)
     * counts as stamped now: a checkpoint in the future would make every later query start after
     * events still to come.
     */
    Instant advance(EventPage page, Instant now) {
        for (DiEvent e : page) {
            Instant ts = stamp(e, now);
            if (ts.isAfter(newest)) {
                newest = ts;
            }
        }
        return newest;
    }

    /** Adds the page's events of the checkpoint's second to its record (moving the record to that second first). */
    static void record(EventPage page, Instant checkpoint, SecondIds ids, Instant now) {
        long second = checkpoint.getEpochSecond();
        ids.moveTo(second);
        for (DiEvent e : page) {
            if (stamp(e, now).getEpochSecond() == second) {
                ids.add(IdFingerprint.of(e.getId()));
            }
        }
    }

    private static Instant stamp(DiEvent e, Instant now) {
        return e.getTimestamp().isAfter(now) ? now : e.getTimestamp();
    }
}
