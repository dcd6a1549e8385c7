package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Archives made by GNU tar 1.34 in three header formats (see the fixtures' names). */
class TarReaderTest {
    static final String LONG = "package/a-directory-name-that-is-long/another-directory-name-that-is-also-long/"
            + "file-with-a-name-long-enough-to-pass-one-hundred-characters.txt";

    private static Map<String, byte[]> readAll(byte[] tar) throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(tar), "test.tar");
        Map<String, byte[]> files = new LinkedHashMap<>();
        TarReader.Entry e;
        while ((e = reader.next()) != null) {
            if (e.isFile()) {
                byte[] data = reader.readContent();
                assertEquals(e.size(), data.length);
                files.put(e.path(), data);
            }
        }
        return files;
    }

    private static byte[] gunzip(String fixture) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Fixtures.path(fixture)))) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"longnames-ustar.tgz", "longnames-pax.tgz", "longnames-gnu.tgz"})
    void readsLongNamesAndContentsInEveryFormat(String fixture) throws IOException {
        Map<String, byte[]> files = readAll(gunzip(fixture));
        assertEquals(3, files.size(), files.keySet().toString());
        assertEquals("long name ok\n", new String(files.get(LONG), StandardCharsets.UTF_8));
        assertEquals("short\n", new String(files.get("package/short.txt"), StandardCharsets.UTF_8));
        assertArrayEquals(Files.readAllBytes(Fixtures.path("binary-1300.bin")), files.get("package/binary.bin"));
    }

    @Test
    void skipsUnreadContentAndStreamsContent() throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(gunzip("longnames-gnu.tgz")), "x");
        TarReader.Entry e;
        String shortText = null;
        while ((e = reader.next()) != null) {
            if (e.path().equals("package/short.txt")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                reader.copyContent(out);
                shortText = out.toString(StandardCharsets.UTF_8);
            }
        }
        assertEquals("short\n", shortText);
        assertNull(reader.next());
    }

    @Test
    void corruptHeaderFailsItsChecksum() throws IOException {
        byte[] tar = gunzip("imdb-fixture.tgz");
        tar[10] ^= 0x20; // flip a bit in the first entry's name
        IOException e = assertThrows(IOException.class, () -> readAll(tar));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void truncatedArchiveIsReported() throws IOException {
        byte[] tar = gunzip("longnames-ustar.tgz");
        int cut = 0;
        // cut inside the binary file's content: find its header then cut 700 bytes later
        String s = new String(tar, StandardCharsets.ISO_8859_1);
        cut = s.indexOf("package/binary.bin") + 512 + 700;
        byte[] truncated = java.util.Arrays.copyOf(tar, cut);
        IOException e = assertThrows(IOException.class, () -> readAll(truncated));
        assertTrue(e.getMessage().contains("ends inside"), e.getMessage());
    }

    /** A pax archive with a long non-ASCII path and a GNU archive with a long name, as other tar writers make them. */
    @Test
    void paxAndGnuLongNamesFromAnotherWriterRoundTrip() throws IOException {
        String name = "package/" + "r\u00e9sum\u00e9-\u4e2d\u6587-".repeat(12) + "end.txt";
        byte[] content = "\u00fcber\n".getBytes(StandardCharsets.UTF_8);
        for (int mode : new int[] {org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX,
                org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_GNU}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes, "UTF-8")) {
                out.setLongFileMode(mode);
                var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
                entry.setSize(content.length);
                out.putArchiveEntry(entry);
                out.write(content);
                out.closeArchiveEntry();
            }
            Map<String, byte[]> files = readAll(bytes.toByteArray());
            assertEquals(java.util.Set.of(name), files.keySet(), "long-file mode " + mode);
            assertArrayEquals(content, files.get(name));
        }
    }
}
