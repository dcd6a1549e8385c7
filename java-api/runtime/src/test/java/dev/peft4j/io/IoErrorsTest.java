package dev.peft4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** I/O failures in words with the path, and temporary files with ordinary permissions. */
class IoErrorsTest {
    @TempDir
    Path dir;

    /** The JDK's messages for these were the path alone ("peft4j: /runs/out"). */
    @Test
    void eachFailureSaysWhatWentWrongWithThePath() throws IOException {
        assertEquals("/runs/out: not found", IoErrors.describe(new NoSuchFileException("/runs/out")));
        assertEquals("/runs/out: permission denied", IoErrors.describe(new AccessDeniedException("/runs/out")));
        assertEquals("/runs/x.png: disk full (no space left on device)",
                IoErrors.describe(new FileSystemException("/runs/x.png", null, "No space left on device")));
        assertEquals("/runs/x: is a folder, not a file",
                IoErrors.describe(new FileSystemException("/runs/x", null, "Is a directory")));
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(file + ": is a file, not a folder", IoErrors.describe(new FileAlreadyExistsException(file.toString())));
        assertEquals("not valid UTF-8 text", IoErrors.reason(new MalformedInputException(1)));
    }

    /** A full disk during a write said "No space left on device" or "I/O error writing PNG file!" naming no file. */
    @Test
    void aFailureWithoutAPathGetsOne() {
        Path p = dir.resolve("loss.png");
        IOException e = IoErrors.withPath(p, new IOException("No space left on device"));
        assertEquals(p + ": disk full (no space left on device)", e.getMessage());
        IOException png = IoErrors.withPath(p, new IOException("I/O error writing PNG file!"));
        assertTrue(png.getMessage().startsWith(p + ": "), png.getMessage());
        IOException named = new NoSuchFileException(p.toString());
        assertSame(named, IoErrors.withPath(p, named), "a failure that names its file is kept");
    }

    /** Files.createTempFile made adapter, config and checkpoint files mode 0600. */
    @Test
    void atomicallyWrittenFilesHaveTheUmasksPermissions() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Set<PosixFilePermission> ordinary = Files.getPosixFilePermissions(Files.createFile(dir.resolve("probe")));
        Path st = dir.resolve("w.safetensors");
        SafeTensors.write(st, Map.of("w", new TensorData(new int[] {1}, new float[] {1})), Map.of());
        assertEquals(ordinary, Files.getPosixFilePermissions(st));
        assertEquals(ordinary, Files.getPosixFilePermissions(TempFiles.createSibling(dir.resolve("x.json"))));
    }
}
