package dev.peft4j.search.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A Spark standalone cluster on 127.0.0.1 for tests: a master and workers as child JVMs started from this JVM's
 * class path (the Spark jars Maven resolved; nothing is downloaded). Workers launch executors with a command built
 * from {@code SPARK_HOME}, which must hold a {@code jars/} folder: here an empty temporary one, since the executors
 * get this class path through {@code spark.executor.extraClassPath}, and {@code SPARK_SCALA_VERSION}. {@link #close()} kills every child process and
 * its descendants (executors included); a shutdown hook does the same if the test JVM exits first.
 */
final class StandaloneCluster implements AutoCloseable {
    private final Path dir;
    private final Path sparkHome;
    private final String classPath = System.getProperty("java.class.path");
    private final List<String> jvmArgs;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    private final List<Path> workDirs = new ArrayList<>();
    private final Thread hook = new Thread(this::killAll, "standalone-cluster-cleanup");
    private final int masterPort;
    private Process master;

    StandaloneCluster(Path dir) throws IOException {
        this.dir = dir;
        this.sparkHome = Files.createDirectories(dir.resolve("spark-home"));
        Files.createDirectories(sparkHome.resolve("jars"));
        String args = System.getProperty("peft4j.spark.jvm.args");
        if (args == null || args.isBlank()) {
            throw new IllegalStateException("peft4j.spark.jvm.args is not set: the pom's surefire configuration passes "
                    + "Spark's JVM options to the tests through it");
        }
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, String.join("\n", "rootLogger.level = info", "rootLogger.appenderRef.out.ref = out",
                "appender.out.type = Console", "appender.out.name = out",
                "appender.out.layout.type = PatternLayout", "appender.out.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n", ""));
        List<String> all = new ArrayList<>(Arrays.asList(args.trim().split("\\s+")));
        all.add("-Dlog4j2.configurationFile=" + log4j); // INFO, which the waits below read (the tests' own is WARN)
        this.jvmArgs = List.copyOf(all);
        this.masterPort = freePort();
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The master's URL. */
    String url() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The class path executors need (this JVM's). */
    String classPath() {
        return classPath;
    }

    /** Starts the master and waits (up to a minute) until it leads. */
    void startMaster() throws Exception {
        master = start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(masterPort), "--webui-port", String.valueOf(freePort()));
        await("the master to lead", "master", () -> log("master").contains("I have been elected leader"));
    }

    /** Starts a worker with {@code cores} cores and waits until the master has registered it. */
    Process startWorker(int cores) throws Exception {
        int n = workers.size();
        Path work = Files.createDirectories(dir.resolve("work-" + n));
        Process w = start("worker-" + n, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores",
                String.valueOf(cores), "--memory", "1g", "--work-dir", work.toString(), "--webui-port",
                String.valueOf(freePort()), url());
        workers.add(w);
        workDirs.add(work);
        await("worker " + n + " to register", "worker-" + n, () -> log("worker-" + n).contains("Successfully registered with master"));
        return w;
    }

    List<Process> workers() {
        return workers;
    }

    /**
     * The worker that launched executor {@code id}: the one whose work folder holds {@code <app>/<id>} (a process's
     * command line, with its long class path, may come back cut short, so it is not searched).
     */
    Optional<Process> workerOfExecutor(String id) {
        for (int i = 0; i < workers.size(); i++) {
            try (var apps = Files.list(workDirs.get(i))) {
                if (apps.anyMatch(app -> Files.isDirectory(app.resolve(id)))) {
                    return Optional.of(workers.get(i));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return Optional.empty();
    }

    /** Kills a process and everything it started, at once (no shutdown hooks): a machine lost. */
    static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** The text a child process wrote so far. */
    String log(String name) {
        try {
            Path f = dir.resolve(name + ".log");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private Process start(String name, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmArgs);
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.13"); // else the launcher looks for a Spark build tree
        pb.environment().put("JAVA_HOME", System.getProperty("java.home")); // the executors' JVM: this one's JDK
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    static void await(String what, BooleanSupplier done) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("waited a minute for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** As {@link #await(String, BooleanSupplier)}, with the end of the child's log in the failure. */
    private void await(String what, String child, BooleanSupplier done) throws Exception {
        try {
            await(what, done);
        } catch (IllegalStateException e) {
            String log = log(child);
            throw new IllegalStateException(e.getMessage() + "; the end of its log:\n"
                    + log.substring(Math.max(0, log.length() - 3000)), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void killAll() {
        for (Process p : processes) {
            kill(p);
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Copies the children's logs and the executors' stdout and stderr to target/standalone-cluster-logs. */
    private void keepLogs() {
        Path out = Path.of("target", "standalone-cluster-logs");
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".log") || name.equals("stderr") || name.equals("stdout")) {
                    Path to = out.resolve(dir.relativize(f).toString());
                    Files.createDirectories(to.getParent());
                    Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            System.err.println("could not keep the cluster's logs: " + e);
        }
    }

    @Override
    public void close() {
        killAll();
        keepLogs();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook runs anyway
        }
    }
}
