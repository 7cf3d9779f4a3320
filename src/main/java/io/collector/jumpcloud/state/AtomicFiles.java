package io.collector.jumpcloud.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file writes that a crash cannot tear: a temp file is written, fsynced and renamed over the
 * old one, then the directory is fsynced, so the file holds either the old or the new content.
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes a file's content into the open temp file (its position 0 on). */
    interface Content {
        void writeTo(FileChannel ch) throws IOException;
    }

    static void write(Path target, byte[] content, String what) {
        replace(target, ch -> ch.write(ByteBuffer.wrap(content)), what);
    }

    static void replace(Path target, Content content, String what) {
        try {
            if (!Files.isDirectory(target.getParent())) {
                Files.createDirectories(target.getParent()); // once: when it exists this costs an exception each write
            }
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                content.writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the " + what + " " + target.toAbsolutePath() + ": " + describe(e), e);
        }
    }

    static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static void fsyncDirectory(Path d) {
        // makes the rename itself durable; not supported on every platform, where it is best effort
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }
}
