package io.collector.jumpcloud.dedup;

/**
 * A bounded set of id fingerprints that forgets the oldest first, in three arrays: the fingerprints
 * in the order they came (a ring) and an open-addressing index into it. Nothing is allocated per id.
 */
final class FingerprintSet {
    private final int capacity;
    private long[] hi;
    private long[] lo;
    private int[] index; // ring slot + 1; 0 = empty
    private int mask;
    private int head;  // the oldest slot
    private int used;  // slots in use, removed ones included until they are the oldest
    private int size;  // fingerprints held

    /** Grows as ids come, up to {@code capacity}: a quiet route (an organization's rare service) costs little. */
    FingerprintSet(int capacity) {
        this.capacity = capacity;
        allocate(Math.min(capacity, 64));
    }

    private void allocate(int slots) {
        hi = new long[slots];
        lo = new long[slots];
        int n = Integer.highestOneBit(Math.max(4, slots) * 2 - 1) << 1; // at least twice the slots
        index = new int[n];
        mask = n - 1;
    }

    /** Doubles the arrays (until the capacity): only before the first id was forgotten, so the ring is still in order from slot 0. */
    private void grow() {
        long[] h = hi;
        long[] l = lo;
        int n = used;
        allocate((int) Math.min(capacity, 2L * h.length));
        for (int s = 0; s < n; s++) {
            hi[s] = h[s];
            lo[s] = l[s];
            if (h[s] != 0 || l[s] != 0) {
                int i = bucket(h[s], l[s]);
                while (index[i] != 0) {
                    i = (i + 1) & mask;
                }
                index[i] = s + 1;
            }
        }
    }

    int size() {
        return size;
    }

    boolean contains(long h, long l) {
        return find(h, l) >= 0;
    }

    /** @return true if it was not held (and now is) */
    boolean add(long h, long l) {
        if (find(h, l) >= 0) {
            return false;
        }
        if (used == hi.length && hi.length < capacity) {
            grow();
        }
        if (used == capacity) {
            evictOldest();
        }
        int slot = (head + used) % capacity;
        hi[slot] = h;
        lo[slot] = l;
        used++;
        size++;
        int i = bucket(h, l);
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = slot + 1;
        return true;
    }

    boolean remove(long h, long l) {
        int i = find(h, l);
        if (i < 0) {
            return false;
        }
        int slot = index[i] - 1;
        deleteAt(i);
        hi[slot] = 0; // a hole in the ring, skipped when it becomes the oldest
        lo[slot] = 0;
        size--;
        return true;
    }

    void clear() {
        allocate(Math.min(capacity, 64));
        head = 0;
        used = 0;
        size = 0;
    }

    private void evictOldest() {
        long h = hi[head];
        long l = lo[head];
        if (h != 0 || l != 0) {
            deleteAt(find(h, l));
            size--;
        }
        head = (head + 1) % capacity;
        used--;
    }

    /** The index position of a fingerprint, or -1. */
    private int find(long h, long l) {
        int i = bucket(h, l);
        int e;
        while ((e = index[i]) != 0) {
            if (hi[e - 1] == h && lo[e - 1] == l) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Linear-probing deletion: the entries after the hole move back so every probe still finds them. */
    private void deleteAt(int i) {
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int e = index[j];
            if (e == 0) {
                break;
            }
            int home = bucket(hi[e - 1], lo[e - 1]);
            // move e into the hole unless its home lies cyclically in (hole, j]
            boolean between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!between) {
                index[hole] = e;
                hole = j;
            }
        }
        index[hole] = 0;
    }

    private int bucket(long h, long l) {
        long x = h * 0x9E3779B97F4A7C15L ^ l * 0xC2B2AE3D27D4EB4FL;
        return (int) (x ^ (x >>> 29) ^ (x >>> 47)) & mask;
    }
}
