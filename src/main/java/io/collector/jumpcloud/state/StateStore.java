package io.collector.jumpcloud.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collector.jumpcloud.completeness.CountLedger;
import io.collector.jumpcloud.dedup.IdFingerprint;
import io.collector.jumpcloud.dedup.SecondIds;
import io.collector.jumpcloud.source.EventTimestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One JSON file per service in the state directory, in the reference collector's shape
 * ({@code last_polled_timestamp}, {@code historic_date_utc}, {@code ids_with_same_timestamp},
 * {@code @persistence_version}). Timestamps are epoch seconds with nine fraction digits.
 * Writes are atomic: a temp file is written, fsynced and renamed over the old one, then the
 * directory is fsynced, so a crash leaves either the old or the new state, never half of one.
 */
public final class StateStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final int FINGERPRINT_BYTES = 16;
    /** Far above any state this collector writes (a few kB): a larger file is broken, and is not read whole. */
    static final long MAX_STATE_FILE_BYTES = 64L << 20;

    private final Path dir;
    /** Per route: the digest of the ledger file this store last wrote (small ones only). */
    private final java.util.Map<String, byte[]> ledgerWritten = new java.util.concurrent.ConcurrentHashMap<>();

    public StateStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path file(String key) {
        return dir.resolve(key + ".json");
    }

    /** Checks at start that the directory can be created and written, naming it if not. */
    public void checkWritable() throws IOException {
        Files.createDirectories(dir);
        Path probe = Files.createTempFile(dir, ".probe", ".tmp");
        Files.delete(probe);
    }

    /** A state as read back: the checkpoint and the ids delivered in its whole second. */
    public record Stored(ServiceState state, SecondIds sameSecond) {
    }

    /**
     * Reads a service's state strictly: a file that is empty, of an unknown {@code @persistence_version},
     * or whose fields have the wrong type is refused with what is wrong ({@link StateFileException}),
     * never read as zero or as "start again".
     */
    public Optional<Stored> load(String key) {
        ledgerWritten.remove(key); // a route (re)starts or takes over: its next ledger save writes
        Path f = file(key);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            long size = Files.size(f);
            if (size > MAX_STATE_FILE_BYTES) {
                throw new StateFileException(f, "it is " + (size >> 20) + " MB, larger than any state this collector writes", null);
            }
            byte[] bytes = Files.readAllBytes(f);
            if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                throw new StateFileException(f, "it is empty (a crash or a full disk can leave it so)", null);
            }
            n = JSON.readTree(bytes);
        } catch (StateFileException e) {
            throw e;
        } catch (IOException e) {
            throw new StateFileException(f, "it is not JSON (" + firstLine(e.getMessage()) + ")", e);
        }
        if (n == null || !n.isObject()) {
            throw new StateFileException(f, "it is not a JSON object", null);
        }
        JsonNode version = n.get("@persistence_version");
        if (version == null || !version.isIntegralNumber()) {
            throw new StateFileException(f, "@persistence_version is " + shown(version) + ", not a whole number", null);
        }
        int v = version.asInt();
        if (v < 0 || v > ServiceState.PERSISTENCE_VERSION) {
            throw new StateFileException(f, "@persistence_version is " + v + ", which this collector does not know (it reads 0 to "
                    + ServiceState.PERSISTENCE_VERSION + "): was it written by a newer version?", null);
        }
        Instant last = epochSeconds(f, n, "last_polled_timestamp");
        Instant historic = epochSeconds(f, n, "historic_date_utc");
        long second = last.getEpochSecond();
        SecondIds ids = new SecondIds(second);
        if (v < 2) {
            // the reference collector's shape (version 0) and ours before 2: the id strings inline
            JsonNode list = n.get("ids_with_same_timestamp");
            if (list == null || !list.isArray()) {
                throw new StateFileException(f, "ids_with_same_timestamp is " + shown(list) + ", not a list of ids", null);
            }
            for (JsonNode id : list) {
                if (!id.isTextual()) {
                    throw new StateFileException(f, "ids_with_same_timestamp holds " + shown(id) + ", not an id string", null);
                }
                ids.add(IdFingerprint.of(id.asText()));
            }
        } else {
            IdsFile.read(f, n.get("same_second_ids"), ids);
        }
        return Optional.of(new Stored(new ServiceState(last, historic), ids));
    }

    private static Instant epochSeconds(Path f, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) {
            throw new StateFileException(f, field + " is " + shown(v) + ", not a number of epoch seconds", null);
        }
        try {
            return EventTimestamps.fromEpochSeconds(v.decimalValue());
        } catch (IllegalArgumentException | ArithmeticException e) {
            // shown(v), not the number's plain digits: 1e999999999 has a billion of them
            throw new StateFileException(f, field + " is " + shown(v) + ", not an epoch second of this era", null);
        }
    }

    /** A JSON value as an error message shows it: its type, and a short excerpt. */
    static String shown(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "missing";
        }
        String text = v.toString();
        if (text.length() > 40) {
            text = text.substring(0, 40) + "…";
        }
        String type = v.isTextual() ? "a string" : v.isNumber() ? "a number" : v.isBoolean() ? "a boolean" : v.isNull() ? "null"
                : v.isArray() ? "a list" : "an object";
        return v.isNull() ? "null" : type + " (" + text + ")";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * Saves the state and the whole record of its second's ids (a new second, or a retry after a
     * failed write). The ids go to their own file first; the state names it and is renamed into place
     * last, so a crash leaves the old state with its own, untouched ids file.
     */
    public void save(String key, ServiceState s, SecondIds ids) {
        save(key, s, ids, 0, true);
    }

    /**
     * Saves the state after a page whose ids of the checkpoint's second are {@code ids} from index
     * {@code from} on (the ones before were saved with the previous state, in the same file): only
     * those are appended, so a page's write costs its own ids, whatever the burst the second holds.
     */
    public void saveAppending(String key, ServiceState s, SecondIds ids, int from) {
        save(key, s, ids, from, false);
    }

    private void save(String key, ServiceState s, SecondIds ids, int from, boolean whole) {
        Path target = file(key);
        long second = s.lastPolledTimestamp().getEpochSecond();
        if (ids.second() != second) {
            throw new IllegalArgumentException("the ids are of second " + ids.second() + ", the checkpoint of " + second);
        }
        Path idsFile = IdsFile.of(target, second);
        int count = ids.size();
        IdsFile.write(idsFile, ids, whole || !Files.exists(idsFile) ? 0 : from);
        ObjectNode n = JSON.createObjectNode();
        n.put("last_polled_timestamp", EventTimestamps.toEpochSeconds(s.lastPolledTimestamp()));
        n.put("last_polled_utc", s.lastPolledTimestamp().toString());
        n.put("historic_date_utc", EventTimestamps.toEpochSeconds(s.historicDate()));
        ObjectNode same = n.putObject("same_second_ids");
        same.put("second", second);
        same.put("count", count);
        same.put("file", idsFile.getFileName().toString());
        n.put("@persistence_version", ServiceState.PERSISTENCE_VERSION);
        writeAtomically(target, n);
        if (whole) {
            IdsFile.deleteOthers(target, idsFile);
        }
    }

    /** The count check's unchecked windows, in their own file (written at the end of a pull, not per page). */
    public Path ledgerFile(String key) {
        return dir.resolve(key + ".counts.json");
    }

    /**
     * Saves the ledger with the checkpoint it matches: after a crash the ledger is only trusted when
     * nothing was delivered after it was saved.
     */
    public void saveLedger(String key, Instant coveredUpTo, CountLedger ledger) {
        Path file = ledgerFile(key);
        byte[] content = CountLedgerFile.bytes(JSON, coveredUpTo, ledger);
        // a quiet route's pull changes nothing in it: no write (a temp file, two fsyncs, a rename) for
        // the same bytes; a large ledger (a backfill's) changes at every pull and is not compared
        byte[] digest = content.length <= UNCHANGED_CHECK_BYTES ? md5(content) : null;
        if (digest != null && java.util.Arrays.equals(digest, ledgerWritten.get(key)) && Files.exists(file)) {
            return;
        }
        ledgerWritten.remove(key);
        AtomicFiles.write(file, content, "count check file");
        if (digest != null) {
            ledgerWritten.put(key, digest);
        }
    }

    static final int UNCHANGED_CHECK_BYTES = 64 * 1024;

    private static byte[] md5(byte[] content) {
        try {
            return java.security.MessageDigest.getInstance("MD5").digest(content);
        } catch (java.security.NoSuchAlgorithmException e) {
            return null; // then every save writes
        }
    }

    /** The saved ledger, if it was saved at checkpoint {@code checkpoint} with the same window size. */
    public Optional<CountLedger> loadLedger(String key, Instant checkpoint, long windowSeconds) {
        return CountLedgerFile.load(JSON, ledgerFile(key), checkpoint, windowSeconds);
    }

    private static void writeAtomically(Path target, ObjectNode n) {
        try {
            AtomicFiles.write(target, JSON.writeValueAsBytes(n), "state file");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String describe(ServiceState s, SecondIds ids) {
        return "{last_polled_timestamp=" + s.lastPolledTimestamp() + ", historic_date_utc=" + s.historicDate()
                + ", same_second_ids=" + ids.size() + ", @persistence_version=" + ServiceState.PERSISTENCE_VERSION + "}";
    }
}
