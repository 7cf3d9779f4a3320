package io.collector.jumpcloud.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collector.jumpcloud.completeness.CountLedger;
import io.collector.jumpcloud.dedup.IdFingerprint;
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

    public Optional<ServiceState> load(String key) {
        Path f = file(key);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(f.toFile());
            Instant last = EventTimestamps.fromEpochSeconds(n.path("last_polled_timestamp").decimalValue());
            Instant historic = EventTimestamps.fromEpochSeconds(n.path("historic_date_utc").decimalValue());
            List<String> ids = new ArrayList<>();
            n.path("ids_with_same_timestamp").forEach(id -> ids.add(id.asText()));
            if (!n.has("last_polled_timestamp") || !n.has("historic_date_utc")) {
                throw new IOException("missing last_polled_timestamp or historic_date_utc");
            }
            return Optional.of(new ServiceState(last, historic, ids));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("state file " + f.toAbsolutePath() + " is unreadable (" + e.getMessage()
                    + "); move it away to start again from jumpcloud.historic-date-utc", e);
        }
    }

    public void save(String key, ServiceState s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("last_polled_timestamp", EventTimestamps.toEpochSeconds(s.lastPolledTimestamp()));
        n.put("last_polled_utc", s.lastPolledTimestamp().toString());
        n.put("historic_date_utc", EventTimestamps.toEpochSeconds(s.historicDate()));
        ArrayNode ids = n.putArray("ids_with_same_timestamp");
        s.idsWithSameTimestamp().forEach(ids::add);
        n.put("@persistence_version", ServiceState.PERSISTENCE_VERSION);
        writeAtomically(file(key), n);
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
            throw new UncheckedIOException("cannot write state file " + target.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    public String describe(ServiceState s) {
        return "{last_polled_timestamp=" + s.lastPolledTimestamp() + ", historic_date_utc=" + s.historicDate()
                + ", ids_with_same_timestamp=" + s.idsWithSameTimestamp().size() + " ids, @persistence_version="
                + ServiceState.PERSISTENCE_VERSION + "}";
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
