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
    /** The year 9999: a checkpoint beyond it is a broken file, not a date. */
    private static final java.math.BigDecimal MAX_EPOCH_SECONDS = java.math.BigDecimal.valueOf(253402300799L);

    private final Path dir;

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
        Path f = file(key);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        JsonNode n;
        try {
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
            readIds(f, n.get("same_second_ids"), ids);
        }
        return Optional.of(new Stored(new ServiceState(last, historic), ids));
    }

    private void readIds(Path f, JsonNode o, SecondIds into) {
        if (o == null || !o.isObject() || !o.path("second").isIntegralNumber() || !o.path("count").isIntegralNumber()
                || !o.path("file").isTextual()) {
            throw new StateFileException(f, "same_second_ids is " + shown(o) + ", not {second, count, file}", null);
        }
        long second = o.get("second").asLong();
        long count = o.get("count").asLong();
        if (second != into.second() || count < 0 || count > SecondIds.MAX) {
            throw new StateFileException(f, "same_second_ids names second " + second + " and " + count
                    + " ids, which does not match last_polled_timestamp", null);
        }
        // the file's name is ours (key and second), never taken from the file's content
        Path idsFile = idsFile(f, second);
        if (!o.get("file").asText().equals(idsFile.getFileName().toString())) {
            throw new StateFileException(f, "same_second_ids names the file " + shown(o.get("file")) + " instead of "
                    + idsFile.getFileName(), null);
        }
        try (FileChannel ch = FileChannel.open(idsFile, StandardOpenOption.READ)) {
            long need = count * FINGERPRINT_BYTES;
            if (ch.size() < need) {
                throw new StateFileException(f, "its ids file " + idsFile.getFileName() + " holds " + ch.size() / FINGERPRINT_BYTES
                        + " ids where " + count + " were saved", null);
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(need, 1 << 20));
            long read = 0;
            while (read < need) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), need - read));
                while (buf.hasRemaining()) {
                    if (ch.read(buf, read + buf.position()) < 0) {
                        throw new java.io.EOFException();
                    }
                }
                buf.flip();
                while (buf.remaining() >= FINGERPRINT_BYTES) {
                    into.add(new IdFingerprint(buf.getLong(), buf.getLong()));
                }
                read += buf.limit();
            }
        } catch (StateFileException e) {
            throw e;
        } catch (IOException e) {
            throw new StateFileException(f, "its ids file " + idsFile.getFileName() + " cannot be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
    }

    private static Instant epochSeconds(Path f, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) {
            throw new StateFileException(f, field + " is " + shown(v) + ", not a number of epoch seconds", null);
        }
        java.math.BigDecimal d = v.decimalValue();
        if (d.signum() < 0 || d.compareTo(MAX_EPOCH_SECONDS) > 0) {
            throw new StateFileException(f, field + " is " + d.toPlainString() + ", not an epoch second of this era", null);
        }
        return EventTimestamps.fromEpochSeconds(d);
    }

    /** A JSON value as an error message shows it: its type, and a short excerpt. */
    private static String shown(JsonNode v) {
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
        Path idsFile = idsFile(target, second);
        int count = ids.size();
        try {
            Files.createDirectories(target.getParent());
            boolean fresh = whole || !Files.exists(idsFile);
            int start = fresh ? 0 : from;
            try (FileChannel ch = FileChannel.open(idsFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                // what a failed earlier write left after the saved ids goes; the page's ids follow them
                ch.truncate((long) start * FINGERPRINT_BYTES);
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64 * 1024);
                long pos = (long) start * FINGERPRINT_BYTES;
                for (int i = start; i < count; i++) {
                    IdFingerprint f = ids.get(i);
                    buf.putLong(f.hi()).putLong(f.lo());
                    if (!buf.hasRemaining()) {
                        pos += flush(ch, buf, pos);
                    }
                }
                pos += flush(ch, buf, pos);
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ids file " + idsFile.toAbsolutePath() + ": " + describe(e), e);
        }
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
            deleteOtherIdsFiles(target, idsFile);
        }
    }

    private static long flush(FileChannel ch, java.nio.ByteBuffer buf, long pos) throws IOException {
        buf.flip();
        long n = buf.remaining();
        while (buf.hasRemaining()) {
            ch.write(buf, pos + (n - buf.remaining()));
        }
        buf.clear();
        return n;
    }

    /** {@code <key>.ids-<second>} beside the state file: the name comes from the settings and a number only. */
    static Path idsFile(Path stateFile, long second) {
        String name = stateFile.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return stateFile.resolveSibling(base + ".ids-" + second);
    }

    /** The ids files of earlier seconds, once the state no longer names them (best effort). */
    private static void deleteOtherIdsFiles(Path stateFile, Path keep) {
        String name = stateFile.getFileName().toString();
        String prefix = (name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".ids-";
        try (var files = Files.list(stateFile.getParent())) {
            files.filter(p -> p.getFileName().toString().startsWith(prefix) && !p.equals(keep)).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // left for the next new second
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
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
        ObjectNode n = JSON.createObjectNode();
        n.put("window_seconds", ledger.windowSeconds());
        n.put("checked_up_to", ledger.checkedUpTo());
        n.put("covered_up_to", EventTimestamps.toEpochSeconds(coveredUpTo));
        n.put("ids", "fingerprints"); // IdFingerprint's 32 hex digits (files before held the ids themselves)
        ObjectNode w = n.putObject("windows");
        ledger.windows().forEach((start, ids) -> {
            ArrayNode a = w.putArray(Long.toString(start));
            for (int i = 0; i < ids.size(); i++) {
                a.add(ids.get(i).toString());
            }
        });
        ArrayNode pending = n.putArray("pending_refetch");
        ledger.pending().forEach(sf -> {
            ObjectNode o = pending.addObject();
            o.put("from", sf.from());
            o.put("to", sf.to());
            o.put("jumpcloud", sf.jumpcloud());
            o.put("delivered", sf.delivered());
            ArrayNode a = o.putArray("ids");
            sf.deliveredIds().forEach(id -> a.add(id.toString()));
        });
        writeAtomically(ledgerFile(key), n);
    }

    /** The saved ledger, if it was saved at checkpoint {@code checkpoint} with the same window size. */
    public Optional<CountLedger> loadLedger(String key, Instant checkpoint, long windowSeconds) {
        Path f = ledgerFile(key);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(f.toFile());
            Instant covered = EventTimestamps.fromEpochSeconds(n.path("covered_up_to").decimalValue());
            if (n.path("window_seconds").asLong() != windowSeconds || !covered.equals(checkpoint)) {
                return Optional.empty();
            }
            CountLedger ledger = new CountLedger(windowSeconds, n.path("checked_up_to").asLong());
            boolean fingerprints = "fingerprints".equals(n.path("ids").asText());
            java.util.function.Function<JsonNode, IdFingerprint> id = v -> fingerprints ? IdFingerprint.parse(v.asText())
                    : IdFingerprint.of(v.asText());
            n.path("windows").fields().forEachRemaining(e -> {
                java.util.List<IdFingerprint> ids = new java.util.ArrayList<>();
                e.getValue().forEach(v -> ids.add(id.apply(v)));
                ledger.restore(Long.parseLong(e.getKey()), ids);
            });
            n.path("pending_refetch").forEach(o -> {
                java.util.Set<IdFingerprint> ids = new java.util.LinkedHashSet<>();
                o.path("ids").forEach(v -> ids.add(id.apply(v)));
                ledger.pending().add(new io.collector.jumpcloud.completeness.CountCheck.Shortfall(o.path("from").asLong(),
                        o.path("to").asLong(), o.path("jumpcloud").asLong(), o.path("delivered").asLong(), ids));
            });
            return Optional.of(ledger);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // the check skips what it cannot verify; the caller logs it
        }
    }

    private static void writeAtomically(Path target, ObjectNode n) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(n)));
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the state file " + target.toAbsolutePath() + ": " + describe(e), e);
        }
    }

    public String describe(ServiceState s, SecondIds ids) {
        return "{last_polled_timestamp=" + s.lastPolledTimestamp() + ", historic_date_utc=" + s.historicDate()
                + ", same_second_ids=" + ids.size() + ", @persistence_version=" + ServiceState.PERSISTENCE_VERSION + "}";
    }

    private static void fsyncDirectory(Path d) {
        // Makes the rename itself durable; not supported on every platform, where it is best effort.
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }
}
