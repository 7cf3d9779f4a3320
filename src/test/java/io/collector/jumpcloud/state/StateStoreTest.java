package io.collector.jumpcloud.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collector.jumpcloud.dedup.IdFingerprint;
import io.collector.jumpcloud.dedup.SecondIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    @TempDir
    Path dir;

    static SecondIds ids(Instant checkpoint, String... ids) {
        SecondIds s = new SecondIds(checkpoint.getEpochSecond());
        for (String id : ids) {
            s.add(IdFingerprint.of(id));
        }
        return s;
    }

    /** A burst: {@code n} ids in the checkpoint's second. */
    static SecondIds many(Instant checkpoint, int n) {
        SecondIds s = ids(checkpoint);
        for (int i = 0; i < n; i++) {
            s.add(IdFingerprint.of("id-" + i));
        }
        return s;
    }

    @Test
    void roundTripsToTheNanosecondWithTheSecondsIdsInAFileOfTheirOwn() throws Exception {
        StateStore store = new StateStore(dir);
        ServiceState s = new ServiceState(Instant.parse("2025-06-18T01:40:48.953462371Z"), Instant.parse("2025-06-01T00:00:00Z"));
        store.save("mdm", s, ids(s.lastPolledTimestamp(), "a", "b"));
        StateStore.Stored back = store.load("mdm").orElseThrow();
        assertEquals(s, back.state());
        assertEquals(2, back.sameSecond().size());
        assertTrue(back.sameSecond().contains(IdFingerprint.of("a")) && back.sameSecond().contains(IdFingerprint.of("b")));
        JsonNode n = new ObjectMapper().readTree(dir.resolve("mdm.json").toFile());
        assertTrue(Files.readString(dir.resolve("mdm.json")).contains("\"last_polled_timestamp\":1750210848.953462371"),
                "epoch seconds with all nine digits");
        assertTrue(n.get("last_polled_timestamp").isNumber());
        assertEquals(2, n.get("same_second_ids").get("count").asInt());
        assertEquals(ServiceState.PERSISTENCE_VERSION, n.get("@persistence_version").asInt());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("mdm.ids-1750210848", "mdm.json"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temp file left behind");
        }
    }

    /** A page's save appends its own ids: its cost does not grow with the burst the second already holds. */
    @Test
    void aPageOfTheSameSecondAppendsOnlyItsIdsAndANewSecondStartsAFreshFile() throws Exception {
        StateStore store = new StateStore(dir);
        Instant t = Instant.parse("2026-01-01T00:00:05.5Z");
        SecondIds ids = many(t, 50_000);
        store.save("sso", new ServiceState(t, t), ids);
        Path file = dir.resolve("sso.ids-" + t.getEpochSecond());
        long modifiedBefore = Files.size(file);
        ids.add(IdFingerprint.of("late-1"));
        store.saveAppending("sso", new ServiceState(t.plusMillis(100), t), ids, 50_000);
        assertEquals(modifiedBefore + 16, Files.size(file));
        assertEquals(50_001, store.load("sso").orElseThrow().sameSecond().size());
        assertTrue(Files.size(dir.resolve("sso.json")) < 400, "the state file stays small: " + Files.size(dir.resolve("sso.json")));
        Instant later = t.plusSeconds(1);
        SecondIds next = ids(later, "x");
        store.save("sso", new ServiceState(later, t), next);
        assertFalse(Files.exists(file), "the earlier second's ids file goes once the state names another");
        assertEquals(1, store.load("sso").orElseThrow().sameSecond().size());
    }

    /**
     * A retry of a failed save writes the second's ids whole. The state on disk still names the same
     * ids file with the ids of the save before: had the retry rewritten that file in place, a crash or
     * an interrupt in the middle would leave fewer ids than the state says, and the route could not
     * start. The file the old state names (held here by a second link) is never written into.
     */
    @Test
    void aWholeSaveOfTheSameSecondNeverRewritesTheIdsFileTheStateOnDiskNames() throws Exception {
        StateStore store = new StateStore(dir);
        Instant t = Instant.parse("2026-01-01T00:00:05.5Z");
        SecondIds ids = many(t, 1_000);
        store.save("sso", new ServiceState(t, t), ids);
        Path file = dir.resolve("sso.ids-" + t.getEpochSecond());
        Path asTheStateSawIt = dir.resolve("held-by-the-old-state");
        Files.createLink(asTheStateSawIt, file);
        for (int i = 0; i < 500; i++) {
            ids.add(IdFingerprint.of("late-" + i));
        }
        Files.createDirectory(dir.resolve("sso.json.tmp")); // the state's own write fails: the old state stays
        assertThrows(java.io.UncheckedIOException.class, () -> store.save("sso", new ServiceState(t.plusMillis(10), t), ids));
        assertEquals(1_000L * 16, Files.size(asTheStateSawIt), "the ids file the old state names was written into");
        assertEquals(1_000, store.load("sso").orElseThrow().sameSecond().size(), "the old state loads with its ids");
        Files.delete(dir.resolve("sso.json.tmp"));
        store.save("sso", new ServiceState(t.plusMillis(10), t), ids);
        assertEquals(1_500, store.load("sso").orElseThrow().sameSecond().size());
    }

    @Test
    void readsTheReferenceCollectorsShapeAndOurFirstVersion() throws Exception {
        StateStore store = new StateStore(dir);
        Files.writeString(dir.resolve("sso.json"), "{\"last_polled_timestamp\": 1667460688.0, \"historic_date_utc\": 1664564634.0, "
                + "\"ids_with_same_timestamp\": [\"63636e50ace1cf7d597b249a\"], \"@persistence_version\": 0}");
        StateStore.Stored s = store.load("sso").orElseThrow();
        assertEquals(Instant.ofEpochSecond(1667460688), s.state().lastPolledTimestamp());
        assertTrue(s.sameSecond().contains(IdFingerprint.of("63636e50ace1cf7d597b249a")));
    }

    /** Each file a user or a crash could leave: refused, naming what is wrong, never read as zero. */
    @Test
    void aFileThatCannotBeTrustedIsRefusedWithWhatIsWrong() throws Exception {
        StateStore store = new StateStore(dir);
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("", "it is empty");
        cases.put("  \n", "it is empty");
        cases.put("{\"last_polled_timestamp\": 17", "it is not JSON");
        cases.put("[1]", "not a JSON object");
        cases.put("{\"last_polled_timestamp\":\"1796568634.5\",\"historic_date_utc\":1,\"ids_with_same_timestamp\":[],\"@persistence_version\":1}",
                "last_polled_timestamp is a string (\"1796568634.5\"), not a number");
        cases.put("{\"last_polled_timestamp\":1796568634.5,\"historic_date_utc\":1,\"ids_with_same_timestamp\":[],\"@persistence_version\":9}",
                "@persistence_version is 9, which this collector does not know");
        cases.put("{\"last_polled_timestamp\":1796568634.5,\"historic_date_utc\":1,\"ids_with_same_timestamp\":[]}",
                "@persistence_version is missing");
        cases.put("{\"last_polled_timestamp\":1796568634.5,\"historic_date_utc\":1,\"ids_with_same_timestamp\":[1],\"@persistence_version\":1}",
                "ids_with_same_timestamp holds a number");
        cases.put("{\"last_polled_timestamp\":-5,\"historic_date_utc\":1,\"ids_with_same_timestamp\":[],\"@persistence_version\":1}",
                "last_polled_timestamp is a number (-5), not an epoch second of this era");
        // numbers whose digits would fill the heap (a billion of them) or take minutes to compute
        cases.put("{\"last_polled_timestamp\":1e999999999,\"historic_date_utc\":1,\"ids_with_same_timestamp\":[],\"@persistence_version\":1}",
                "last_polled_timestamp is a number (1E+999999999), not an epoch second of this era");
        cases.put("{\"last_polled_timestamp\":1e-300000000,\"historic_date_utc\":1,\"ids_with_same_timestamp\":[],\"@persistence_version\":1}",
                "last_polled_timestamp is a number (1E-300000000), not an epoch second of this era");
        cases.put("{\"last_polled_timestamp\":1796568634.5,\"historic_date_utc\":1e999999999,\"ids_with_same_timestamp\":[],\"@persistence_version\":1}",
                "historic_date_utc is a number (1E+999999999), not an epoch second of this era");
        cases.put("{\"last_polled_timestamp\":1796568634.5,\"historic_date_utc\":1,\"same_second_ids\":{\"second\":1796568634,\"count\":3,"
                + "\"file\":\"sso.ids-1796568634\"},\"@persistence_version\":2}", "its ids file sso.ids-1796568634 cannot be read");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(dir.resolve("sso.json"), c.getKey());
            StateFileException e = assertThrows(StateFileException.class, () -> store.load("sso"), c.getKey());
            assertTrue(e.getMessage().contains(dir.resolve("sso.json").toAbsolutePath().toString()), e.getMessage());
            assertTrue(e.problem().contains(c.getValue()), c.getKey() + " -> " + e.problem());
        }
        assertFalse(store.load("directory").isPresent(), "no file: a first start");
        try (java.io.RandomAccessFile big = new java.io.RandomAccessFile(dir.resolve("sso.json").toFile(), "rw")) {
            big.setLength(StateStore.MAX_STATE_FILE_BYTES + 1); // not read whole
        }
        StateFileException e = assertThrows(StateFileException.class, () -> store.load("sso"));
        assertTrue(e.problem().contains("it is 64 MB, larger than any state this collector writes"), e.problem());
        // the count check's ledger likewise: a ledger that would load, but padded past the bound, is not
        // read whole; its windows are skipped (logged by the caller), never counted wrong
        String ledger = "{\"covered_up_to\":0,\"window_seconds\":300,\"checked_up_to\":0,\"windows\":{}}";
        Files.writeString(dir.resolve("sso.counts.json"), ledger);
        assertTrue(store.loadLedger("sso", Instant.EPOCH, 300).isPresent(), "the ledger as written");
        try (java.io.Writer w = Files.newBufferedWriter(dir.resolve("sso.counts.json"))) {
            char[] spaces = new char[1 << 20];
            java.util.Arrays.fill(spaces, ' ');
            for (int i = 0; i <= StateStore.MAX_STATE_FILE_BYTES >> 20; i++) {
                w.write(spaces);
            }
            w.write(ledger);
        }
        assertFalse(store.loadLedger("sso", Instant.EPOCH, 300).isPresent(), "over 64 MB: not read");
    }

    /**
     * A quiet route's pull leaves its count-check ledger as it was: the file is not written again
     * (a temp file, two fsyncs and a rename per route and poll were a tenth of an MSP collector's CPU);
     * a change writes it, and so does the first save after the route's state was read again.
     */
    @Test
    void anUnchangedLedgerIsNotWrittenAgainAChangedOneIs() throws Exception {
        StateStore store = new StateStore(dir);
        Instant checkpoint = Instant.parse("2026-01-01T00:10:00Z");
        io.collector.jumpcloud.completeness.CountLedger ledger = ledgerOfOneId(checkpoint);
        store.saveLedger("sso", checkpoint, ledger);
        Path file = store.ledgerFile("sso");
        Object first = Files.getAttribute(file, "unix:ino");

        store.saveLedger("sso", checkpoint, ledger);
        assertEquals(first, Files.getAttribute(file, "unix:ino"), "the same ledger at the same checkpoint: the file stays as it was");

        ledger.add(checkpoint.minusSeconds(20), "5c3f5b5d7f2a0b1e8c9d0a12");
        store.saveLedger("sso", checkpoint, ledger);
        Object second = Files.getAttribute(file, "unix:ino");
        assertFalse(first.equals(second), "a new id: written");
        assertEquals(2, store.loadLedger("sso", checkpoint, 300).orElseThrow().count(checkpoint.getEpochSecond() - 600,
                checkpoint.getEpochSecond() + 300));

        store.saveLedger("sso", checkpoint.plusSeconds(1), ledger);
        Object third = Files.getAttribute(file, "unix:ino");
        assertFalse(second.equals(third), "the checkpoint moved: written with it");

        Files.delete(file);
        store.saveLedger("sso", checkpoint.plusSeconds(1), ledger);
        assertTrue(Files.exists(file), "a file removed meanwhile is written again");

        store.load("sso"); // the route starts again, or a replica takes it over: the file may be another's now
        Object before = Files.getAttribute(file, "unix:ino");
        store.saveLedger("sso", checkpoint.plusSeconds(1), ledger);
        assertFalse(before.equals(Files.getAttribute(file, "unix:ino")), "the first save after a load writes");
    }

    /** A count ledger of 300 s windows from ten minutes before {@code checkpoint}, holding one id. */
    private static io.collector.jumpcloud.completeness.CountLedger ledgerOfOneId(Instant checkpoint) {
        io.collector.jumpcloud.completeness.CountLedger ledger = new io.collector.jumpcloud.completeness.CountLedger(300,
                checkpoint.getEpochSecond() - 600);
        ledger.add(checkpoint.minusSeconds(30), "5c3f5b5d7f2a0b1e8c9d0a11");
        return ledger;
    }

    /** A count file that could not be written (a full disk, here a folder in the temp file's place) is written at the next save. */
    @Test
    void aLedgerWriteThatFailedIsWrittenAtTheNextSave() throws Exception {
        StateStore store = new StateStore(dir);
        Instant checkpoint = Instant.parse("2026-01-01T00:10:00Z");
        io.collector.jumpcloud.completeness.CountLedger ledger = ledgerOfOneId(checkpoint);
        store.saveLedger("mdm", checkpoint, ledger);
        Path file = store.ledgerFile("mdm");
        String first = Files.readString(file);

        ledger.add(checkpoint.minusSeconds(20), "5c3f5b5d7f2a0b1e8c9d0a12");
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectory(tmp);
        assertThrows(java.io.UncheckedIOException.class, () -> store.saveLedger("mdm", checkpoint, ledger));
        assertEquals(first, Files.readString(file), "the failed write left the file as it was");

        Files.delete(tmp);
        store.saveLedger("mdm", checkpoint, ledger);
        assertEquals(2, store.loadLedger("mdm", checkpoint, 300).orElseThrow().count(checkpoint.getEpochSecond() - 600,
                checkpoint.getEpochSecond() + 300), "the next save wrote both ids");
    }
}
