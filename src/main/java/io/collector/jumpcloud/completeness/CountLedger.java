package io.collector.jumpcloud.completeness;

import io.collector.jumpcloud.dedup.FingerprintList;
import io.collector.jumpcloud.dedup.IdFingerprint;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ids one route delivered, by time window, for the windows not yet checked against JumpCloud's
 * {@code /events/count}. Everything before {@link #checkedUpTo()} is checked (or could not be, and
 * was logged). Only unchecked windows are held, so memory follows the check, not the backlog; the
 * ids are {@link IdFingerprint}s in arrays, 16 bytes each and no object per id.
 */
public final class CountLedger {
    private final long windowSeconds;
    private final TreeMap<Long, FingerprintList> windows = new TreeMap<>();
    /** Windows found short and not yet fetched again; kept (and saved) until their re-fetch is delivered. */
    private final java.util.Deque<CountCheck.Shortfall> pending = new java.util.ArrayDeque<>();
    private long checkedUpTo;
    private int size;
    private long[] overflow;
    /**
     * Past this many ids (about 6 MB) the oldest windows are left unchecked, whatever the check could do:
     * ids it cannot count yet (a burst in the checkpoint's window, an API answering events again) stay bounded.
     */
    public static final int MAX_IDS = 400_000;

    /** @param checkedUpTo epoch second before which nothing is to be checked (aligned down to a window) */
    public CountLedger(long windowSeconds, long checkedUpTo) {
        if (windowSeconds <= 0) {
            throw new IllegalArgumentException("windowSeconds must be positive");
        }
        this.windowSeconds = windowSeconds;
        this.checkedUpTo = floor(checkedUpTo);
    }

    public long windowSeconds() {
        return windowSeconds;
    }

    public long floor(long epochSecond) {
        return Math.floorDiv(epochSecond, windowSeconds) * windowSeconds;
    }

    public long checkedUpTo() {
        return checkedUpTo;
    }

    /** Total ids held. */
    public int size() {
        return size;
    }

    /** A delivered event. Events of already checked windows are not counted again. */
    public void add(Instant timestamp, String id) {
        add(timestamp, IdFingerprint.of(id));
    }

    public void add(Instant timestamp, IdFingerprint id) {
        long s = timestamp.getEpochSecond();
        if (s < checkedUpTo) {
            return;
        }
        windows.computeIfAbsent(floor(s), k -> new FingerprintList()).add(id);
        if (++size > MAX_IDS) {
            // nothing from the data grows memory without a bound: the oldest windows go unchecked (said by the pull)
            long from = checkedUpTo;
            long to = forgetOldestBeyond(MAX_IDS / 4);
            overflow = overflow == null ? new long[] {from, to} : new long[] {overflow[0], to};
        }
    }

    /** The windows [from, to) left unchecked since the last call because more than {@link #MAX_IDS} ids waited, or null. */
    public long[] takeOverflow() {
        long[] o = overflow;
        overflow = null;
        return o;
    }

    /** Distinct ids delivered with a timestamp in [from, to) (epoch seconds, window-aligned). */
    public long count(long from, long to) {
        long n = 0;
        for (FingerprintList ids : windows.subMap(from, true, to, false).values()) {
            n += ids.distinct(); // an id delivered twice (sent again after a restart) counts once
        }
        return n;
    }

    public Set<IdFingerprint> ids(long from, long to) {
        Set<IdFingerprint> out = new LinkedHashSet<>();
        for (FingerprintList ids : windows.subMap(from, true, to, false).values()) {
            for (int i = 0; i < ids.size(); i++) {
                out.add(ids.get(i));
            }
        }
        return out;
    }

    /** Windows before {@code to} are done: forget their ids. */
    public void advance(long to) {
        long aligned = floor(to);
        if (aligned <= checkedUpTo) {
            return;
        }
        NavigableMap<Long, FingerprintList> done = windows.headMap(aligned, false);
        for (FingerprintList ids : done.values()) {
            size -= ids.size();
        }
        done.clear();
        checkedUpTo = aligned;
    }

    /**
     * Forgets the oldest windows, unchecked, until at most {@code maxIds} ids are held (the count could
     * not be had for too long); everything before the returned second is then done.
     */
    public long forgetOldestBeyond(int maxIds) {
        while (size > maxIds && !windows.isEmpty()) {
            Map.Entry<Long, FingerprintList> oldest = windows.pollFirstEntry();
            size -= oldest.getValue().size();
            checkedUpTo = Math.max(checkedUpTo, oldest.getKey() + windowSeconds);
        }
        return checkedUpTo;
    }

    /** The unchecked windows, for persistence. */
    public Map<Long, FingerprintList> windows() {
        return windows;
    }

    public java.util.Deque<CountCheck.Shortfall> pending() {
        return pending;
    }

    /** Restores a persisted window. */
    public void restore(long windowStart, Collection<IdFingerprint> ids) {
        if (windowStart >= checkedUpTo) {
            FingerprintList w = windows.computeIfAbsent(floor(windowStart), k -> new FingerprintList());
            ids.forEach(w::add);
            size += ids.size();
        }
    }
}
