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

    public SeenIds(int capacity) {
        this.ids = new FingerprintSet(capacity);
    }

    /** The ids a page delivered (those added since the previous commit). */
    public static final class Delivered {
        private final FingerprintSet set;

        Delivered(FingerprintList list) {
            set = new FingerprintSet(Math.max(1, list.size()));
            for (int i = 0; i < list.size(); i++) {
                set.add(list.hiAt(i), list.loAt(i));
            }
        }

        public boolean contains(IdFingerprint f) {
            return set.contains(f.hi(), f.lo());
        }
    }

    /** @return true if the id is new (and now remembered), false for a duplicate. */
    public boolean add(String id) {
        IdFingerprint f = IdFingerprint.of(id);
        synchronized (this) {
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
        synchronized (this) {
            return ids.contains(f.hi(), f.lo());
        }
    }

    public boolean remove(String id) {
        IdFingerprint f = IdFingerprint.of(id);
        synchronized (this) {
            return ids.remove(f.hi(), f.lo());
        }
    }

    /** Seeds ids that were delivered before a restart (the persisted same-second ids). */
    public void seed(Collection<String> delivered) {
        for (String id : delivered) {
            IdFingerprint f = IdFingerprint.of(id);
            synchronized (this) {
                ids.add(f.hi(), f.lo());
            }
        }
    }

    /** Seeds the ids a count-check window delivered, before it is fetched again. */
    public synchronized void seedFingerprints(Collection<IdFingerprint> delivered) {
        delivered.forEach(f -> ids.add(f.hi(), f.lo()));
    }

    /** The ids added since the last commit are delivered; returns them when {@code wanted}, else null (no set built). */
    public synchronized Delivered commit(boolean wanted) {
        Delivered d = wanted ? new Delivered(uncommitted) : null;
        uncommitted.clear();
        return d;
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
