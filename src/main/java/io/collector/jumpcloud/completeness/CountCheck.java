package io.collector.jumpcloud.completeness;

import io.collector.jumpcloud.dedup.IdFingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Compares JumpCloud's count of a closed range with what the ledger says was delivered. One count
 * request covers the whole range when it matches (the usual case); a shortfall is narrowed down by
 * halving to the windows that miss events, so one missing event in 90 days costs about
 * 2 × log2(windows) requests, not one per window.
 */
public final class CountCheck {
    /** JumpCloud's count of events with a timestamp in [fromSecond, toSecond). */
    @FunctionalInterface
    public interface Counter {
        long count(long fromSecond, long toSecond) throws Exception;
    }

    /** A window JumpCloud holds more events of than were delivered: to fetch again. */
    public record Shortfall(long from, long to, long jumpcloud, long delivered, Set<IdFingerprint> deliveredIds) {
    }

    private final CountLedger ledger;
    private final Counter counter;

    public CountCheck(CountLedger ledger, Counter counter) {
        this.ledger = ledger;
        this.counter = counter;
    }

    /**
     * Checks [ledger.checkedUpTo(), upTo) and advances the ledger past it. The windows that miss
     * events join the ledger's pending re-fetches with the ids delivered in them, so their re-fetch
     * drops what was sent; they are also returned.
     * A failing count request leaves the ledger where it was: the next check tries again.
     */
    public List<Shortfall> check(long upTo) throws Exception {
        long from = ledger.checkedUpTo();
        long to = ledger.floor(upTo);
        List<Shortfall> out = new ArrayList<>();
        if (to <= from) {
            return out;
        }
        narrow(from, to, counter.count(from, to), out);
        ledger.pending().addAll(out);
        ledger.advance(to);
        return out;
    }

    private void narrow(long from, long to, long jumpcloud, List<Shortfall> out) throws Exception {
        long delivered = ledger.count(from, to);
        if (jumpcloud <= delivered) {
            return; // fewer is not a loss (an event counted just past the window's end)
        }
        long windows = (to - from) / ledger.windowSeconds();
        if (windows <= 1) {
            // the ids go with the shortfall: the ledger forgets them once it advances
            out.add(new Shortfall(from, to, jumpcloud, delivered, ledger.ids(from, to)));
            return;
        }
        long mid = from + (windows / 2) * ledger.windowSeconds();
        // both halves are asked: deriving one from the whole would be wrong if an event was indexed in between
        narrow(from, mid, counter.count(from, mid), out);
        narrow(mid, to, counter.count(mid, to), out);
    }
}
