package io.collector.jumpcloud.dedup;

import java.util.Arrays;

/** Id fingerprints in two growable arrays: the ids of one page or one count-check window, no object per id. */
public final class FingerprintList {
    private long[] hi = new long[16];
    private long[] lo = new long[16];
    private int size;

    public void add(IdFingerprint f) {
        add(f.hi(), f.lo());
    }

    void add(long h, long l) {
        if (size == hi.length) {
            hi = Arrays.copyOf(hi, size * 2);
            lo = Arrays.copyOf(lo, size * 2);
        }
        hi[size] = h;
        lo[size] = l;
        size++;
    }

    public int size() {
        return size;
    }

    public IdFingerprint get(int i) {
        return new IdFingerprint(hi[i], lo[i]);
    }

    long hiAt(int i) {
        return hi[i];
    }

    long loAt(int i) {
        return lo[i];
    }

    void clear() {
        size = 0;
    }

    /** The number of distinct fingerprints (a window's ids may hold one twice after a re-fetch). */
    public int distinct() {
        if (size == 0) {
            return 0;
        }
        FingerprintSet set = new FingerprintSet(size);
        for (int i = 0; i < size; i++) {
            set.add(hi[i], lo[i]);
        }
        return set.size();
    }
}
