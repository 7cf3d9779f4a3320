package io.collector.jumpcloud.dedup;

import java.util.Collection;

/**
 * The event ids one service's route has seen, bounded: the oldest ids are forgotten first once
 * {@code capacity} is reached (the persisted checkpoint covers restarts, so this only has to span
 * the overlap between two pulls). Ids added since the last {@link #commit()} can be taken back with
 * {@link #rollback()}: when a page fails, its events must not be mistaken for duplicates on the
 * re-pull, or they would be lost. Held as {@link IdFingerprint}s in arrays: no object per id.
 */
public final class SeenIds {
    private final FingerprintSet ids;
    private final FingerprintList uncommitted = new FingerprintList();
    private long duplicates;
    /** Exact records of what was delivered, checked before the bounded memory: the checkpoint's second's ids. */
    private volatile SecondIds second;
    /** While a count-check window is fetched again: every id it delivered before, exactly. */
    private volatile FingerprintSet window;

    public SeenIds(int capacity) {
        this.ids = new FingerprintSet(capacity);
    }

    /** The exact record of the checkpoint's second, which a burst of any size cannot overflow. */
    public void sameSecond(SecondIds record) {
        this.second = record;
    }

    /**
     * Whether the id was delivered as far as the exact records know (the checkpoint's second, a window
     * fetched again); counted as a duplicate when it was. The source drops these before the route sees them.
     */
    public boolean deliveredExactly(String id, long epochSecond) {
        SecondIds s = second;
        FingerprintSet w = window;
        if (s != null && s.second() != epochSecond) {
            s = null; // an event of another second is not in the checkpoint second's record
        }
        if (s == null && w == null) {
            return false; // nearly every event of a backfill: no hashing
        }
        IdFingerprint f = IdFingerprint.of(id);
        if (s != null && s.contains(f.hi(), f.lo()) || w != null && w.contains(f.hi(), f.lo())) {
            synchronized (this) {
                duplicates++;
            }
            return true;
        }
        return false;
    }

    /** @return true if the id is new (and now remembered), false for a duplicate. */
    public boolean add(String id) {
        IdFingerprint f = IdFingerprint.of(id);
        SecondIds s = second;
        FingerprintSet w = window;
        synchronized (this) {
            if (s != null && s.contains(f.hi(), f.lo()) || w != null && w.contains(f.hi(), f.lo())) {
                duplicates++;
                return false;
            }
            if (ids.add(f.hi(), f.lo())) {
                uncommitted.add(f);
                return true;
            }
            duplicates++;
            return false;
        }
    }

    public boolean contains(String id) {
        IdFingerprint f = IdFingerprint.of(id);
        SecondIds s = second;
        FingerprintSet w = window;
        synchronized (this) {
            return s != null && s.contains(f.hi(), f.lo()) || w != null && w.contains(f.hi(), f.lo()) || ids.contains(f.hi(), f.lo());
        }
    }

    public boolean remove(String id) {
        IdFingerprint f = IdFingerprint.of(id);
        synchronized (this) {
            return ids.remove(f.hi(), f.lo());
        }
    }

    /**
     * The ids a count-check window delivered, while it is fetched again: dropped exactly, however many
     * (the bounded memory would forget the oldest of a window larger than it, and send them twice).
     * Null ends the re-fetch.
     */
    public synchronized void refetching(Collection<IdFingerprint> delivered) {
        if (delivered == null) {
            window = null;
            return;
        }
        FingerprintSet w = new FingerprintSet(Math.max(1, delivered.size()));
        delivered.forEach(f -> w.add(f.hi(), f.lo()));
        window = w;
    }

    /** The ids added since the last commit are delivered; returns them when {@code wanted}, else null (no set built). */
    public synchronized void commit() {
        uncommitted.clear();
    }

    /** Forgets the ids added since the last commit; returns how many. */
    public synchronized int rollback() {
        int n = uncommitted.size();
        for (int i = 0; i < n; i++) {
            ids.remove(uncommitted.hiAt(i), uncommitted.loAt(i));
        }
        uncommitted.clear();
        return n;
    }

    public synchronized long duplicates() {
        return duplicates;
    }

    public synchronized int size() {
        return ids.size();
    }

    public synchronized void clear() {
        ids.clear();
        uncommitted.clear();
    }
}
