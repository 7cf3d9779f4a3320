package io.collector.jumpcloud.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collector.jumpcloud.completeness.CountCheck;
import io.collector.jumpcloud.completeness.CountLedger;
import io.collector.jumpcloud.dedup.IdFingerprint;
import io.collector.jumpcloud.source.EventTimestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The count check's unchecked windows, {@code <key>.counts.json}: written at the end of a pull (not
 * per page) with the checkpoint it matches, and trusted after a restart only at that checkpoint.
 */
final class CountLedgerFile {
    private CountLedgerFile() {
    }

    /** The file's content for this ledger at this checkpoint. */
    static byte[] bytes(ObjectMapper json, Instant coveredUpTo, CountLedger ledger) {
        ObjectNode n = json.createObjectNode();
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
        try {
            return json.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The saved ledger, if it was saved at {@code checkpoint} with the same window size; else empty. */
    static Optional<CountLedger> load(ObjectMapper json, Path file, Instant checkpoint, long windowSeconds) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            if (Files.size(file) > StateStore.MAX_STATE_FILE_BYTES) {
                return Optional.empty(); // not one this collector wrote (at most 200,000 ids): not read whole
            }
            JsonNode n = json.readTree(file.toFile());
            Instant covered = EventTimestamps.fromEpochSeconds(n.path("covered_up_to").decimalValue());
            if (n.path("window_seconds").asLong() != windowSeconds || !covered.equals(checkpoint)) {
                return Optional.empty();
            }
            CountLedger ledger = new CountLedger(windowSeconds, n.path("checked_up_to").asLong());
            boolean fingerprints = "fingerprints".equals(n.path("ids").asText());
            Function<JsonNode, IdFingerprint> id = v -> fingerprints ? IdFingerprint.parse(v.asText()) : IdFingerprint.of(v.asText());
            n.path("windows").fields().forEachRemaining(e -> {
                List<IdFingerprint> ids = new ArrayList<>();
                e.getValue().forEach(v -> ids.add(id.apply(v)));
                ledger.restore(Long.parseLong(e.getKey()), ids);
            });
            n.path("pending_refetch").forEach(o -> {
                Set<IdFingerprint> ids = new LinkedHashSet<>();
                o.path("ids").forEach(v -> ids.add(id.apply(v)));
                ledger.pending().add(new CountCheck.Shortfall(o.path("from").asLong(), o.path("to").asLong(),
                        o.path("jumpcloud").asLong(), o.path("delivered").asLong(), ids));
            });
            return Optional.of(ledger);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // the check skips what it cannot verify; the caller logs it
        }
    }
}
