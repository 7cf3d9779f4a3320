package io.collector.jumpcloud.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter file of a route, {@code <state-dir>/<route>.quarantine.ndjson}: what JumpCloud sent
 * that could not be delivered (an element that is not an event, an event over the size limits), one
 * JSON line each with its position, its reason and its bytes (base64: they may not even be UTF-8),
 * so nothing is lost silently and an operator can look at it or send it by hand. The file's name
 * comes from the settings only. Bounded: past {@value #MAX_FILE_BYTES} bytes entries are logged and
 * counted but no longer written; an entry keeps at most {@value #MAX_RAW_BYTES} bytes of the element.
 */
public final class Quarantine {
    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long MAX_FILE_BYTES = 256L << 20;
    static final int MAX_RAW_BYTES = 1 << 20;

    private final StateStore store;

    public Quarantine(StateStore store) {
        this.store = store;
    }

    public Path file(String key) {
        return store.dir().resolve(key + ".quarantine.ndjson");
    }

    /**
     * Writes one entry (and fsyncs it). Never throws: a quarantine that cannot be written is said in
     * the log with the entry's position and reason, and the route goes on.
     *
     * @param raw the element's bytes, or null when they were never read (an answer over the size cap)
     */
    public void write(String key, String route, String reason, String position, long bytes, byte[] raw, Instant at) {
        Path f = file(key);
        ObjectNode n = JSON.createObjectNode();
        n.put("quarantined_at", at.toString());
        n.put("route", route);
        n.put("reason", reason);
        n.put("position", position);
        n.put("bytes", bytes);
        if (raw != null) {
            int keep = Math.min(raw.length, MAX_RAW_BYTES);
            n.put("raw_base64", Base64.getEncoder().encodeToString(keep == raw.length ? raw : java.util.Arrays.copyOf(raw, keep)));
            if (keep < raw.length) {
                n.put("raw_truncated", true);
            }
        }
        try {
            Files.createDirectories(f.getParent());
            byte[] line = (JSON.writeValueAsString(n) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                if (ch.size() + line.length > MAX_FILE_BYTES) {
                    LOG.error("[{}] The quarantine file {} is full ({} MB): this entry ({}, {}) is counted but not written",
                            route, f.toAbsolutePath(), MAX_FILE_BYTES >> 20, reason, position);
                    return;
                }
                ByteBuffer buf = ByteBuffer.wrap(line);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("[{}] Cannot write to the quarantine file {} ({}): the entry ({}, {}) is only in this log", route,
                    f.toAbsolutePath(), e.getMessage(), reason, position);
        }
    }
}
