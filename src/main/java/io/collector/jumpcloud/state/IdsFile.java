package io.collector.jumpcloud.state;

import com.fasterxml.jackson.databind.JsonNode;
import io.collector.jumpcloud.dedup.IdFingerprint;
import io.collector.jumpcloud.dedup.SecondIds;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The ids delivered in the checkpoint's second, beside the state file as {@code <key>.ids-<second>}:
 * 16-byte fingerprints, appended page by page, so a page's save costs its own ids whatever the burst
 * its second holds. The state file names the file and how many of its ids count.
 */
final class IdsFile {
    static final int FINGERPRINT_BYTES = 16;

    private IdsFile() {
    }

    /** The file's name comes from the settings (the key) and a number only, never from its content. */
    static Path of(Path stateFile, long second) {
        return stateFile.resolveSibling(base(stateFile) + ".ids-" + second);
    }

    private static String base(Path stateFile) {
        String name = stateFile.getFileName().toString();
        return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }

    /** Reads the {@code same_second_ids} the state file {@code f} names into {@code into}, strictly. */
    static void read(Path f, JsonNode o, SecondIds into) {
        if (o == null || !o.isObject() || !o.path("second").isIntegralNumber() || !o.path("count").isIntegralNumber()
                || !o.path("file").isTextual()) {
            throw new StateFileException(f, "same_second_ids is " + StateStore.shown(o) + ", not {second, count, file}", null);
        }
        long second = o.get("second").asLong();
        long count = o.get("count").asLong();
        if (second != into.second() || count < 0 || count > SecondIds.MAX) {
            throw new StateFileException(f, "same_second_ids names second " + second + " and " + count
                    + " ids, which does not match last_polled_timestamp", null);
        }
        Path idsFile = of(f, second);
        if (!o.get("file").asText().equals(idsFile.getFileName().toString())) {
            throw new StateFileException(f, "same_second_ids names the file " + StateStore.shown(o.get("file")) + " instead of "
                    + idsFile.getFileName(), null);
        }
        try (FileChannel ch = FileChannel.open(idsFile, StandardOpenOption.READ)) {
            long need = count * FINGERPRINT_BYTES;
            if (ch.size() < need) {
                throw new StateFileException(f, "its ids file " + idsFile.getFileName() + " holds " + ch.size() / FINGERPRINT_BYTES
                        + " ids where " + count + " were saved", null);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(need, 1 << 20));
            long read = 0;
            while (read < need) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), need - read));
                while (buf.hasRemaining()) {
                    if (ch.read(buf, read + buf.position()) < 0) {
                        throw new EOFException();
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
            throw new StateFileException(f, "its ids file " + idsFile.getFileName() + " cannot be read ("
                    + AtomicFiles.describe(e) + ")", e);
        }
    }

    /**
     * Writes the ids from index {@code start} on after the {@code start} ids already in the file (what
     * a failed earlier write left after them goes), and fsyncs it. A file written whole again (a retry
     * after a failed save) is written aside and renamed into place: the state on disk may name it with
     * the ids of an earlier save, and a crash or an interrupt while it was rewritten in place would
     * leave fewer ids than that state says, a route that cannot start. A new second's file, which no
     * state names yet, is written where it goes.
     */
    static void write(Path idsFile, SecondIds ids, int start) {
        if (start == 0 && Files.exists(idsFile)) {
            AtomicFiles.replace(idsFile, ch -> writeIds(ch, ids, 0), "ids file");
            return;
        }
        try {
            if (!Files.isDirectory(idsFile.getParent())) {
                Files.createDirectories(idsFile.getParent());
            }
            try (FileChannel ch = FileChannel.open(idsFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ch.truncate((long) start * FINGERPRINT_BYTES);
                writeIds(ch, ids, start);
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ids file " + idsFile.toAbsolutePath() + ": " + AtomicFiles.describe(e), e);
        }
    }

    private static void writeIds(FileChannel ch, SecondIds ids, int start) throws IOException {
        // a live poll appends a few ids: a buffer of their size, not 64 kB each time
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(64 * 1024, Math.max(FINGERPRINT_BYTES, (long) (ids.size() - start) * FINGERPRINT_BYTES)));
        long pos = (long) start * FINGERPRINT_BYTES;
        for (int i = start; i < ids.size(); i++) {
            IdFingerprint f = ids.get(i);
            buf.putLong(f.hi()).putLong(f.lo());
            if (!buf.hasRemaining()) {
                pos += flush(ch, buf, pos);
            }
        }
        flush(ch, buf, pos);
    }

    private static long flush(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        buf.flip();
        long n = buf.remaining();
        while (buf.hasRemaining()) {
            ch.write(buf, pos + (n - buf.remaining()));
        }
        buf.clear();
        return n;
    }

    /** The ids files of earlier seconds, once the state no longer names them (best effort). */
    static void deleteOthers(Path stateFile, Path keep) {
        String prefix = base(stateFile) + ".ids-";
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
}
