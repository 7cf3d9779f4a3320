package io.collector.jumpcloud.state;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.config.SettingsException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One collector per state folder, unless they are replicas (collector.cluster): two that share one
 * by mistake (a compose service scaled to two, a second copy started by hand) would each send every
 * event, and overwrite each other's checkpoints. An exclusive lock on a file in the folder, held
 * while the routes run; the OS lets go of it when the process dies, so a kill leaves no stale lock.
 * A file system without locks (some network shares) is said in the log and not enforced.
 */
public final class StateFolderLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateFolderLock.class);
    static final String FILE = ".collector.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateFolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The folder's lock; throws {@link SettingsException} naming the folder when another collector holds it. */
    public static StateFolderLock take(Path dir) {
        Path file = dir.resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            LOG.warn("Cannot open {} to make sure no other collector uses this state folder ({}): going on without it",
                    file.toAbsolutePath(), AtomicFiles.describe(e));
            return new StateFolderLock(null, null);
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null; // another collector in this JVM (an embedding application's second context) holds it
        } catch (IOException e) {
            LOG.warn("The file system of {} does not lock files ({}): nothing keeps a second collector from using this state folder",
                    dir.toAbsolutePath(), AtomicFiles.describe(e));
            return new StateFolderLock(ch, null);
        }
        if (lock == null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing held
            }
            throw new SettingsException(CollectorSettings.STATE_DIR, "another collector is running with the state folder "
                    + dir.toAbsolutePath() + " (it holds " + FILE + "): two would each send every event. Give each collector its "
                    + "own collector.state-dir, or run them as replicas with collector.cluster, which share one folder and pull each "
                    + "route once");
        }
        return new StateFolderLock(ch, lock);
    }

    @Override
    public void close() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // the OS lets go of it with the process
        }
    }
}
