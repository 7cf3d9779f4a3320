package io.collector.jumpcloud.dedup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The event ids one service's route has seen, bounded: the oldest ids are forgotten first once
 * {@code capacity} is reached (the persisted checkpoint covers restarts, so this only has to span
 * the overlap between two pulls). Ids added since the last {@link #commit()} can be taken back with
 * {@link #rollback()}: when a page fails, its events must not be mistaken for duplicates on the
 * re-pull, or they would be lost.
 */
public final class SeenIds {
    private final int capacity;
    private final LinkedHashMap<String, Boolean> ids;
    private final List<String> uncommitted = new ArrayList<>();
    private long duplicates;

    public SeenIds(int capacity) {
        this.capacity = capacity;
        this.ids = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > SeenIds.this.capacity;
            }
        };
    }

    /** @return true if the id is new (and now remembered), false for a duplicate. */
    public synchronized boolean add(String id) {
        if (ids.putIfAbsent(id, Boolean.TRUE) == null) {
            uncommitted.add(id);
            return true;
        }
        duplicates++;
        return false;
    }

    public synchronized boolean contains(String id) {
        return ids.containsKey(id);
    }

    public synchronized boolean remove(String id) {
        return ids.remove(id) != null;
    }

    /** Seeds ids that were delivered before a restart (the persisted same-second ids). */
    public synchronized void seed(Collection<String> delivered) {
        delivered.forEach(id -> ids.put(id, Boolean.TRUE));
    }

    /** The ids added since the last commit are delivered; returns them. */
    public synchronized java.util.Set<String> commit() {
        java.util.Set<String> delivered = new java.util.HashSet<>(uncommitted);
        uncommitted.clear();
        return delivered;
    }

    /** Forgets the ids added since the last commit; returns how many. */
    public synchronized int rollback() {
        int n = uncommitted.size();
        uncommitted.forEach(ids::remove);
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
