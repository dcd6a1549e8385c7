package dev.peft4j.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive write lock of a run folder: {@value #FILE} in the folder, held with {@link FileChannel#tryLock()}
 * for as long as the writer runs. The operating system releases it when the process ends, however it ends (a
 * SIGKILL included), so a lock that is found held always has a live holder. The holder writes its pid, host and start
 * time into the file, and a refused writer names them.
 *
 * <p>The file itself stays in the folder after the run (deleting it would let a third writer lock a new file while a
 * second still holds the old one). Within one JVM a folder is locked at most once: a second attempt is refused from
 * a table of this JVM's locks, without opening the file (on some systems closing any channel of a file releases the
 * process's locks on it, as {@link FileLock} warns).
 */
final class RunLock implements AutoCloseable {
    static final String FILE = ".lock";

    /** This JVM's held locks, by real path, with the holder's description. */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /** A writer was refused: the folder is locked by a live process. */
    static final class HeldException extends IllegalStateException {
        HeldException(String message) {
            super(message);
        }
    }

    /**
     * Creates {@code dir} if needed and locks it for this process; throws {@link HeldException} naming the holder
     * when another writer holds it.
     */
    static RunLock acquire(Path dir, String what) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new FileAlreadyExistsException(dir.toString(), null, "--output names a file, not a folder");
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        Path key = dir.toRealPath();
        String holder = "pid " + ProcessHandle.current().pid() + " on " + host() + ", started "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " (" + what + ")";
        if (HELD.putIfAbsent(key, holder) != null) {
            throw refused(dir, file, HELD.get(key));
        }
        FileChannel ch = null;
        boolean locked = false;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw refused(dir, file, holderOf(ch));
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            locked = true;
            return new RunLock(key, ch, lock);
        } finally {
            if (!locked) {
                if (ch != null) {
                    ch.close();
                }
                HELD.remove(key, holder);
            }
        }
    }

    private static HeldException refused(Path dir, Path file, String holder) {
        return new HeldException(dir + " is in use by another writer: " + (holder.isBlank() ? "a process that has not "
                + "yet written its name into " + file : holder) + ". One run folder has one writer at a time: wait for "
                + "that run to end, or choose another --output (the lock is " + file + "; it is released when its "
                + "holder ends, however it ends)");
    }

    /** The holder line of a lock file held by another process (reading it does not disturb that lock). */
    private static String holderOf(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(512);
        ch.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | SecurityException e) {
            return "an unknown host";
        }
    }

    /** Releases the lock (the file stays). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            HELD.remove(key);
        }
    }
}
