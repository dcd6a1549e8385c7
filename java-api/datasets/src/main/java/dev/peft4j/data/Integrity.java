package dev.peft4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Subresource-integrity strings, the form npm prints as {@code dist.integrity}:
 * {@code "sha512-" + base64(SHA-512(file bytes))}.
 */
public final class Integrity {
    private Integrity() {}

    /** The {@code sha512-…} integrity string of a file's bytes. */
    public static String sha512(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-512", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return "sha512-" + Base64.getEncoder().encodeToString(digest.digest());
    }

    /** Throws a {@link DatasetException} naming the file, the expected and the actual value when they differ. */
    public static void verify(Path file, String expected) throws IOException {
        if (!expected.startsWith("sha512-")) {
            throw new IllegalArgumentException("only sha512 integrity strings are supported, got " + expected);
        }
        String actual = sha512(file);
        if (!actual.equals(expected)) {
            throw new DatasetException("checksum mismatch for " + file + ": expected " + expected
                    + ", actual " + actual + " (the file is corrupt, truncated or a different version)");
        }
    }
}
