package dev.peft4j.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a POSIX tar stream (ustar, with pax 'x' and GNU 'L' long names), as npm tarballs are written.
 * Each 512-byte header is checked against its checksum (the byte sum of the header with the checksum field
 * read as spaces). Call {@link #next()} for the next entry, then {@link #copyContent(OutputStream)} or
 * {@link #readContent()} for its bytes (unread content is skipped on the next {@code next()}).
 * The caller supplies the (already decompressed) stream, e.g. a {@code GZIPInputStream}.
 */
public final class TarReader {
    private static final int BLOCK = 512;

    /** One entry: its path inside the archive, its size in bytes and its type flag ('0' = regular file). */
    public record Entry(String path, long size, char type) {
        public boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    private final InputStream in;
    private final String archiveName;
    private long remaining;
    private long padding;
    private boolean finished;

    /** @param archiveName used in error messages only */
    public TarReader(InputStream in, String archiveName) {
        this.in = in;
        this.archiveName = archiveName;
    }

    /** The next entry that is not a pax or GNU name record, or null at the end of the archive. */
    public Entry next() throws IOException {
        String longName = null;
        Long paxSize = null;
        while (true) {
            skipRest();
            if (finished) {
                return null;
            }
            byte[] header = new byte[BLOCK];
            if (!readBlock(header)) {
                finished = true;
                return null;
            }
            if (isZero(header)) {
                finished = true;
                return null;
            }
            checkChecksum(header);
            char type = (char) (header[156] & 0xff);
            long size = parseNumber(header, 124, 12, "size");
            remaining = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            switch (type) {
                case 'x' -> {
                    Map<String, String> pax = parsePax(readContent());
                    if (pax.containsKey("path")) {
                        longName = pax.get("path");
                    }
                    if (pax.containsKey("size")) {
                        paxSize = Long.parseLong(pax.get("size").trim());
                    }
                }
                case 'L' -> longName = trimNul(new String(readContent(), StandardCharsets.UTF_8));
                case 'g' -> readContent();
                default -> {
                    String name = longName != null ? longName : headerName(header);
                    if (paxSize != null) {
                        size = paxSize;
                        remaining = size;
                        padding = (BLOCK - size % BLOCK) % BLOCK;
                    }
                    return new Entry(name, size, type);
                }
            }
        }
    }

    /** All bytes of the current entry's content. */
    public byte[] readContent() throws IOException {
        if (remaining > Integer.MAX_VALUE - 16) {
            throw new IOException(archiveName + ": tar entry of " + remaining + " bytes is too large to hold in memory");
        }
        byte[] data = in.readNBytes((int) remaining);
        if (data.length != remaining) {
            throw new EOFException(archiveName + ": tar archive ends inside an entry (truncated download?)");
        }
        remaining = 0;
        return data;
    }

    /** Streams the current entry's content to {@code out}. */
    public void copyContent(OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new EOFException(archiveName + ": tar archive ends inside an entry (truncated download?)");
            }
            out.write(buffer, 0, n);
            remaining -= n;
        }
    }

    private void skipRest() throws IOException {
        long toSkip = remaining + padding;
        if (toSkip > 0) {
            try {
                in.skipNBytes(toSkip);
            } catch (EOFException e) {
                throw new EOFException(archiveName + ": tar archive ends inside an entry (truncated download?)");
            }
        }
        remaining = 0;
        padding = 0;
    }

    private boolean readBlock(byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new EOFException(archiveName + ": tar archive ends inside a header (truncated download?)");
        }
        return true;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private void checkChecksum(byte[] header) throws IOException {
        long expected = parseNumber(header, 148, 8, "checksum");
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        if (sum != expected) {
            throw new IOException(archiveName + ": tar header checksum " + sum + " != recorded " + expected
                    + " (corrupt or not a tar archive)");
        }
    }

    /** An octal ASCII field, or a base-256 big-endian number when the first byte has its high bit set. */
    private long parseNumber(byte[] h, int offset, int length, String field) throws IOException {
        if ((h[offset] & 0x80) != 0) {
            long v = h[offset] & 0x7f;
            for (int i = 1; i < length; i++) {
                v = (v << 8) | (h[offset + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        boolean any = false;
        for (int i = offset; i < offset + length; i++) {
            int c = h[i] & 0xff;
            if (c == 0 || (c == ' ' && any)) {
                break;
            }
            if (c == ' ') {
                continue;
            }
            if (c < '0' || c > '7') {
                throw new IOException(archiveName + ": tar header field '" + field + "' is not octal");
            }
            v = v * 8 + (c - '0');
            any = true;
        }
        return v;
    }

    private static String headerName(byte[] h) {
        String name = field(h, 0, 100);
        boolean ustar = field(h, 257, 5).equals("ustar");
        String prefix = ustar ? field(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String field(byte[] h, int offset, int length) {
        int end = offset;
        while (end < offset + length && h[end] != 0) {
            end++;
        }
        return new String(h, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String trimNul(String s) {
        int i = s.indexOf('\0');
        return i < 0 ? s : s.substring(0, i);
    }

    /** Pax records: {@code "<length> <key>=<value>\n"}, length counting the whole record in bytes. */
    private Map<String, String> parsePax(byte[] data) throws IOException {
        Map<String, String> out = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException(archiveName + ": malformed pax header record", e);
            }
            if (length <= 0 || pos + length > data.length) {
                throw new IOException(archiveName + ": malformed pax header record length " + length);
            }
            String record = new String(data, space + 1, pos + length - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                out.put(record.substring(0, eq), record.substring(eq + 1));
            }
            pos += length;
        }
        return out;
    }
}
