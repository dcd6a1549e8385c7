package dev.peft4j.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a tar stream (ustar, pax extended headers, GNU long names and sparse files: whatever npm and GNU tar write)
 * through Apache Commons Compress, with errors that name the archive; each entry's header must match its checksum. Call {@link #next()} for the next entry, then
 * {@link #copyContent(OutputStream)} or {@link #readContent()} for its bytes (unread content is skipped on the next
 * {@code next()}). The caller supplies the (already decompressed) stream, e.g. a {@code GZIPInputStream}.
 */
public final class TarReader {
    /** One entry: its path inside the archive, its size in bytes and its type flag ('0' = regular file). */
    public record Entry(String path, long size, char type) {
        public boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    private final TarArchiveInputStream in;
    private final String archiveName;
    private long remaining;

    /** @param archiveName used in error messages only */
    public TarReader(InputStream in, String archiveName) {
        this.in = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name());
        this.archiveName = archiveName;
    }

    /** The next entry (pax and GNU name records are applied, not returned), or null at the end of the archive. */
    public Entry next() throws IOException {
        TarArchiveEntry e;
        try {
            e = in.getNextEntry();
        } catch (EOFException x) {
            throw truncated(x);
        } catch (IOException | RuntimeException x) {
            throw failure(x);
        }
        if (e == null) {
            remaining = 0;
            return null;
        }
        if (!e.isCheckSumOK()) {
            throw new IOException(archiveName + ": tar header checksum does not match for entry '" + e.getName()
                    + "' (corrupt or not a tar archive)");
        }
        remaining = e.getSize();
        return new Entry(e.getName(), e.getSize(), (char) (e.getLinkFlag() & 0xff));
    }

    /** All bytes of the current entry's content. */
    public byte[] readContent() throws IOException {
        if (remaining > Integer.MAX_VALUE - 16) {
            throw new IOException(archiveName + ": tar entry of " + remaining + " bytes is too large to hold in memory");
        }
        byte[] data;
        try {
            data = in.readNBytes((int) remaining);
        } catch (IOException | RuntimeException x) {
            throw failure(x);
        }
        if (data.length != remaining) {
            throw truncated(null);
        }
        remaining = 0;
        return data;
    }

    /** Streams the current entry's content to {@code out}; errors writing {@code out} pass through as they are. */
    public void copyContent(OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException | RuntimeException x) {
                throw failure(x);
            }
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            copied += n;
        }
        if (copied != remaining) {
            throw truncated(null);
        }
        remaining = 0;
    }

    private EOFException truncated(Throwable cause) {
        EOFException e = new EOFException(archiveName + ": tar archive ends inside an entry or header (truncated download?)");
        e.initCause(cause);
        return e;
    }

    private IOException failure(Exception x) {
        String what = x.getMessage() == null ? x.toString() : x.getMessage();
        if (what.toLowerCase(Locale.ROOT).contains("truncated")) {
            return truncated(x);
        }
        return new IOException(archiveName + ": corrupt or not a tar archive (a header fails its checksum or does not "
                + "parse): " + what, x);
    }
}
