package dev.peft4j.io;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * I/O failures in words, with the path: the JDK reports a missing file or a denied permission as an exception whose
 * message is only the path ({@code /runs/out}), and a full disk or a folder where a file was expected as the
 * operating system's short reason with no file at all. {@link #describe} turns each into "PATH: not found",
 * "PATH: permission denied", "PATH: is a folder, not a file", "PATH: disk full (no space left on device)"...;
 * {@link #withPath} adds the path to a failure that lacks it.
 */
public final class IoErrors {
    private IoErrors() {}

    /** {@code e} as one line in words, with the path the exception names (if any). */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            String where = f.getFile() + (f.getOtherFile() != null ? " (to " + f.getOtherFile() + ")" : "");
            return where + ": " + reason(e);
        }
        String m = e.getMessage();
        String words = reason(e);
        return m == null || m.isBlank() || words.equals(m) ? words : known(m) != null ? known(m) + " (" + m + ")" : m;
    }

    /**
     * {@code e} with {@code file} named: unchanged where it already names a path (a {@link FileSystemException}
     * with its file, or a message that contains the path), else a new IOException "FILE: reason" caused by it.
     */
    public static IOException withPath(Path file, IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return e;
        }
        String m = e.getMessage();
        if (m != null && m.contains(file.toString())) {
            return e;
        }
        return new IOException(file + ": " + reason(e), e);
    }

    /** The reason alone, in words. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "not found";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException f) {
            // what Files.createDirectories throws where a file stands in the way of a folder
            return f.getFile() != null && Files.isRegularFile(Path.of(f.getFile())) ? "is a file, not a folder"
                    : "already exists";
        }
        if (e instanceof NotDirectoryException) {
            return "is a file, not a folder";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "is a folder that is not empty";
        }
        if (e instanceof CharacterCodingException) {
            return "not valid UTF-8 text";
        }
        String raw = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (raw == null || raw.isBlank()) {
            return "cannot be read or written";
        }
        String k = known(raw);
        return k != null ? k : raw;
    }

    /** The operating system's reasons (and the JDK's spellings of them) that have plainer words. */
    private static String known(String raw) {
        String r = raw.toLowerCase(Locale.ROOT);
        if (r.contains("no space left") || r.contains("disk quota exceeded") || r.contains("not enough space")) {
            return "disk full (no space left on device)";
        }
        if (r.contains("is a directory")) {
            return "is a folder, not a file";
        }
        if (r.contains("not a directory")) {
            return "a part of the path is a file, not a folder";
        }
        if (r.contains("permission denied") || r.contains("access is denied")) {
            return "permission denied";
        }
        if (r.contains("read-only file system")) {
            return "the file system is read-only";
        }
        if (r.contains("no such file")) {
            return "not found";
        }
        return null;
    }
}
