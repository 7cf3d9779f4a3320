package io.collector.jumpcloud.dedup;

/**
 * The exact record of the events delivered in the checkpoint's whole second. The next query starts
 * at that whole second, so every one of them comes back and is dropped against this record: not
 * against the bounded id memory, which a burst larger than it would overflow (every pull would then
 * send the burst again). Held as {@link IdFingerprint}s in arrays, in the order they were delivered
 * (the state file's ids file is this list).
 */
public final class SecondIds {
    /**
     * 4 million fingerprints, 64 MB with the index: a bound on what one second's events may take; the
     * ids of a second beyond it are remembered by the bounded id memory only (and said in the log).
     */
    public static final int MAX = 4_000_000;

    private long second;
    private final FingerprintList list = new FingerprintList();
    private FingerprintSet set = new FingerprintSet(MAX);
    private boolean overflowed;

    /** An empty record for {@code second} (epoch seconds). */
    public SecondIds(long second) {
        this.second = second;
    }

    public synchronized long second() {
        return second;
    }

    public synchronized int size() {
        return list.size();
    }

    public synchronized boolean contains(long hi, long lo) {
        return set.contains(hi, lo);
    }

    public boolean contains(IdFingerprint f) {
        return contains(f.hi(), f.lo());
    }

    /** The i-th fingerprint in delivery order. */
    public synchronized IdFingerprint get(int i) {
        return list.get(i);
    }

    /** A later second: the record starts again, empty. */
    public synchronized void moveTo(long newSecond) {
        if (newSecond != second) {
            second = newSecond;
            list.clear();
            set = new FingerprintSet(MAX);
            overflowed = false;
        }
    }

    /** @return true if the id was not in the record (and now is); false when it was, or the record is full */
    public synchronized boolean add(IdFingerprint f) {
        if (list.size() >= MAX) {
            overflowed = true;
            return false;
        }
        if (set.add(f.hi(), f.lo())) {
            list.add(f);
            return true;
        }
        return false;
    }

    /** Whether ids of this second were left out because the record was full (see {@link #MAX}). */
    public synchronized boolean overflowed() {
        return overflowed;
    }
}
