package dev.peft4j.data;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the ordinary npm client, found on a search path (the process's {@code PATH} unless one is given, so
 * tests can put a fake {@code npm} first), or at an explicit location (system property {@code peft4j.npm}).
 * npm is never given a registry address: it uses the user's own configuration.
 */
public final class NpmClient {
    private final Path explicitExecutable;
    private final String searchPath;
    private final long timeoutSeconds;

    private NpmClient(Path explicitExecutable, String searchPath, long timeoutSeconds) {
        this.explicitExecutable = explicitExecutable;
        this.searchPath = searchPath == null ? "" : searchPath;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** npm from system property {@code peft4j.npm} if set, else searched on this process's PATH. */
    public static NpmClient fromEnvironment() {
        String explicit = System.getProperty("peft4j.npm");
        String path = System.getenv("PATH");
        return explicit != null && !explicit.isBlank()
                ? new NpmClient(Path.of(explicit), path, 1800)
                : new NpmClient(null, path, 1800);
    }

    /** npm searched on {@code searchPath} (entries separated by the platform's path separator). */
    public static NpmClient onPath(String searchPath) {
        return new NpmClient(null, searchPath, 1800);
    }

    /** The same client with a different limit on one npm run. */
    public NpmClient withTimeoutSeconds(long seconds) {
        return new NpmClient(explicitExecutable, searchPath, seconds);
    }

    /** The search path this client looks in. */
    public String searchPath() {
        return searchPath;
    }

    /** The npm executable this client would run, if there is one. */
    public Optional<Path> locate() {
        if (explicitExecutable != null) {
            return Files.isExecutable(explicitExecutable) ? Optional.of(explicitExecutable) : Optional.empty();
        }
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
        List<String> names = windows ? List.of("npm.cmd", "npm.exe", "npm") : List.of("npm");
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            for (String name : names) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** npm is not installed where this client looks. */
    public static final class NotFoundException extends Exception {
        NotFoundException(String message) {
            super(message);
        }
    }

    /** npm ran but failed (exit code != 0, timeout, or no tarball written). */
    public static final class FailedException extends Exception {
        private final String stderrTail;

        FailedException(String message, String stderrTail) {
            super(message);
            this.stderrTail = stderrTail;
        }

        public String stderrTail() {
            return stderrTail;
        }
    }

    /**
     * Runs {@code npm pack <spec>} in {@code workDir} and returns the one {@code .tgz} it wrote there.
     * stdout and stderr go to files in {@code workDir} (no pipe can fill up and stall npm).
     */
    public Path pack(String spec, Path workDir) throws NotFoundException, FailedException, IOException {
        Path npm = locate().orElseThrow(() -> new NotFoundException(explicitExecutable != null
                ? "npm not found or not executable at " + explicitExecutable + " (system property peft4j.npm)"
                : "npm not found on PATH (" + (searchPath.isEmpty() ? "empty" : searchPath) + ")"));
        Path stdout = workDir.resolve("npm-stdout.txt");
        Path stderr = workDir.resolve("npm-stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(npm.toString(), "pack", spec)
                .directory(workDir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Map<String, String> env = builder.environment();
        Path npmDir = npm.toAbsolutePath().getParent();
        env.put("PATH", searchPath.isEmpty() ? npmDir.toString() : npmDir + File.pathSeparator + searchPath);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new NotFoundException("could not start " + npm + ": " + e.getMessage());
        }
        boolean done;
        try {
            done = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for npm pack " + spec, e);
        }
        if (!done) {
            process.destroyForcibly();
            throw new FailedException("npm pack " + spec + " did not finish within " + timeoutSeconds + " s",
                    tail(stderr));
        }
        if (process.exitValue() != 0) {
            throw new FailedException("npm pack " + spec + " failed with exit code " + process.exitValue(),
                    tail(stderr));
        }
        List<Path> tarballs = new ArrayList<>();
        try (var files = Files.list(workDir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".tgz")).forEach(tarballs::add);
        }
        if (tarballs.size() != 1) {
            throw new FailedException("npm pack " + spec + " exited normally but wrote " + tarballs.size()
                    + " .tgz files in " + workDir + " (expected 1)", tail(stderr));
        }
        return tarballs.get(0);
    }

    /** The last 20 lines (at most 2,000 characters) of a log file. */
    static String tail(Path file) {
        try {
            List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            String joined = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            return joined.length() <= 2000 ? joined : joined.substring(joined.length() - 2000);
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }
}
