package dev.peft4j.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The temporary sibling of a file being replaced atomically ({@code .NAME.<random>.tmp} in the same folder). Unlike
 * {@link Files#createTempFile}, which makes the file readable by its owner only (mode 0600, so the renamed result
 * is too), it is created with the process's ordinary permissions (the umask decides, as for any other output).
 */
public final class TempFiles {
    private TempFiles() {}

    /** Creates and returns a new empty temporary file next to {@code target}. */
    public static Path createSibling(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toUnsignedString(
                    ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }
}
