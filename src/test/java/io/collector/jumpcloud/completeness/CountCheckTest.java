package io.collector.jumpcloud.completeness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CountCheckTest {
    static final long W = 300;

    /** JumpCloud's side: events at these epoch seconds. */
    static CountCheck.Counter jumpcloud(List<Long> seconds, List<long[]> asked) {
        return (from, to) -> {
            asked.add(new long[] {from, to});
            return seconds.stream().filter(s -> s >= from && s < to).count();
        };
    }

    @Test
    void aCompleteRangeCostsOneRequestAndFreesTheLedger() throws Exception {
        CountLedger ledger = new CountLedger(W, 0);
        List<Long> events = new ArrayList<>();
        for (long s = 0; s < 100 * W; s += 7) {
            events.add(s);
            ledger.add(Instant.ofEpochSecond(s), "id" + s);
        }
        List<long[]> asked = new ArrayList<>();
        assertEquals(List.of(), new CountCheck(ledger, jumpcloud(events, asked)).check(100 * W + 5));
        assertEquals(1, asked.size());
        assertEquals(100 * W, ledger.checkedUpTo());
        assertEquals(0, ledger.size());
    }

    @Test
    void missingEventsAreNarrowedToTheirWindowsWithTheirDeliveredIds() throws Exception {
        CountLedger ledger = new CountLedger(W, 0);
        List<Long> events = new ArrayList<>();
        for (long s = 0; s < 256 * W; s += 11) {
            events.add(s);
            if (s != 77 * W + 1 && s != 200 * W + 3) { // two events never delivered (ids would be id<s>)
                ledger.add(Instant.ofEpochSecond(s), "id" + s);
            }
        }
        events.add(77 * W + 1);
        events.add(200 * W + 3);
        List<long[]> asked = new ArrayList<>();
        List<CountCheck.Shortfall> s = new CountCheck(ledger, jumpcloud(events, asked)).check(256 * W);
        assertEquals(2, s.size());
        assertEquals(77 * W, s.get(0).from());
        assertEquals(78 * W, s.get(0).to());
        assertEquals(s.get(0).jumpcloud() - 1, s.get(0).delivered());
        assertTrue(s.get(0).deliveredIds().contains(io.collector.jumpcloud.dedup.IdFingerprint.of("id" + (77 * W + 10))) || s.get(0).deliveredIds().size() == s.get(0).delivered());
        assertEquals(200 * W, s.get(1).from());
        assertTrue(asked.size() <= 1 + 2 * 2 * 8, "halving: " + asked.size() + " requests for 256 windows");
        assertEquals(2, ledger.pending().size(), "kept until fetched again");
    }

    @Test
    void fewerCountedThanSentIsNotALoss() throws Exception {
        CountLedger ledger = new CountLedger(W, 0);
        ledger.add(Instant.ofEpochSecond(5), "a");
        ledger.add(Instant.ofEpochSecond(6), "b");
        assertEquals(List.of(), new CountCheck(ledger, (a, b) -> 1).check(W));
    }

    @Test
    void aFailedCountLeavesTheLedgerUntouched() {
        CountLedger ledger = new CountLedger(W, 0);
        ledger.add(Instant.ofEpochSecond(5), "a");
        assertThrows(IOException.class, () -> new CountCheck(ledger, (a, b) -> {
            throw new IOException("HTTP 503");
        }).check(W));
        assertEquals(0, ledger.checkedUpTo());
        assertEquals(Set.of(io.collector.jumpcloud.dedup.IdFingerprint.of("a")), ledger.ids(0, W));
    }

    @Test
    void theOldestWindowsAreForgottenUncheckedDownToABound() {
        CountLedger ledger = new CountLedger(W, 0);
        for (int w = 0; w < 4; w++) {
            for (int i = 0; i < 3; i++) {
                ledger.add(Instant.ofEpochSecond(w * W + i), "w" + w + "-" + i);
            }
        }
        assertEquals(2 * W, ledger.forgetOldestBeyond(7), "two windows of three ids go: 6 ids left");
        assertEquals(6, ledger.size());
        assertEquals(2 * W, ledger.checkedUpTo());
        ledger.add(Instant.ofEpochSecond(5), "late, in a window forgotten");
        assertEquals(6, ledger.size());
    }

    @Test
    void windowsBeforeTheCheckedMarkAreNotCounted() {
        CountLedger ledger = new CountLedger(W, 2 * W + 17);
        assertEquals(2 * W, ledger.checkedUpTo());
        ledger.add(Instant.ofEpochSecond(W), "old");
        ledger.add(Instant.ofEpochSecond(2 * W + 1), "new");
        assertEquals(1, ledger.size());
    }

    /**
     * Ids the check cannot count yet (all in one window: a burst, or an API answering new events in one
     * millisecond forever) stay bounded: past the bound the oldest windows go unchecked, said once.
     */
    @Test
    void idsThatCannotBeCheckedYetStayBounded() {
        CountLedger ledger = new CountLedger(W, 0);
        Instant t = Instant.ofEpochSecond(10 * W + 1);
        int most = 0;
        for (int i = 0; i < CountLedger.MAX_IDS + 50_000; i++) {
            ledger.add(i < 10 ? Instant.ofEpochSecond(W + 1) : t, "id-" + i);
            most = Math.max(most, ledger.size());
        }
        assertTrue(most <= CountLedger.MAX_IDS, "held at most " + most);
        long[] left = ledger.takeOverflow();
        assertTrue(left != null && left[0] == 0 && left[1] == 11 * W, java.util.Arrays.toString(left));
        assertTrue(ledger.takeOverflow() == null, "said once");
    }
}
