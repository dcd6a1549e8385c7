package dev.peft4j.fuzz;

import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.onnx.OnnxFormatException;
import dev.peft4j.io.onnx.OnnxWeights;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pooling;
import dev.peft4j.peft.PlanCodec;
import dev.peft4j.peft.PlanFormatException;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing of the readers of files a user hands to peft4j: safetensors, ONNX, tokenizer.json,
 * adapter_config.json and plan files. Inputs are the committed seed corpus ({@code src/test/resources/fuzz}) mutated
 * by {@link Mutation}s that jqwik generates (and shrinks, when a property fails, to the fewest mutations that still
 * fail), plus arbitrary bytes. The property, for every reader: any input either reads or fails with the reader's
 * own exception, whose message names the file; never another exception type, never an empty message, and never a
 * hang (each read has {@link #TIMEOUT_SECONDS}). Seeds are fixed, so a CI run is repeatable; the tries are sized to
 * take seconds. The executions per reader are printed at the end.
 */
class ReaderFuzzProperties {
    static final int TIMEOUT_SECONDS = 20;
    static final BertConfig BERT = new BertConfig(11, 4, 2, 2, 6, 5, 2, 1e-12f, Activation.GELU, 0f, Pooling.CLS);

    private static final Map<String, AtomicLong[]> COUNTS = new ConcurrentHashMap<>();
    private static ExecutorService runner;
    private static Backend backend;
    private static Path work;

    @BeforeContainer
    static void start() throws IOException {
        newRunner();
        backend = Backends.create("reference");
        work = Files.createTempDirectory("peft4j-fuzz");
    }

    private static void newRunner() {
        runner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-reader");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterContainer
    static void stop() throws IOException {
        runner.shutdownNow();
        backend.close();
        COUNTS.forEach((reader, c) -> System.out.printf("fuzz %-13s %6d executions: %d read, %d refused%n", reader,
                c[0].get() + c[1].get(), c[0].get(), c[1].get()));
        try (Stream<Path> files = Files.walk(work)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---------------------------------------------------------------- the properties, one per reader

    @Property(tries = 1500, seed = "180001")
    void safetensors(@ForAll("safetensorsInputs") byte[] input) throws Exception {
        Path file = write("model.safetensors", input);
        check("safetensors", file, () -> SafeTensors.readWeights(file), IOException.class);
    }

    @Property(tries = 600, seed = "180002")
    void onnx(@ForAll("onnxInputs") byte[] input) throws Exception {
        Path file = write("model.onnx", input);
        check("onnx", file, () -> OnnxWeights.loadBert(file), IOException.class, OnnxFormatException.class);
    }

    @Property(tries = 600, seed = "180003")
    void tokenizerJson(@ForAll("tokenizerInputs") byte[] input) throws Exception {
        Path file = write("tokenizer.json", input);
        check("tokenizer", file, () -> WordPieceTokenizer.fromJson(file), IOException.class);
    }

    @Property(tries = 400, seed = "180004")
    void adapterConfig(@ForAll("adapterInputs") AdapterInput input) throws Exception {
        Path dir = work.resolve("adapter");
        Files.createDirectories(dir);
        Files.write(dir.resolve(AdapterIo.WEIGHTS), input.weights());
        Files.write(dir.resolve(AdapterIo.CONFIG), input.config());
        check("adapter_config", dir, () -> {
            try (BertModel m = BertModel.random(backend, BERT, 1)) {
                return AdapterIo.load(dir, AdapterModel.of(m), 9);
            }
        }, IOException.class);
    }

    @Property(tries = 800, seed = "180005")
    void plan(@ForAll("planInputs") byte[] input) throws Exception {
        Path file = write("plan.json", input);
        check("plan", file, () -> PlanCodec.read(file), IOException.class, PlanFormatException.class);
    }

    // ---------------------------------------------------------------- inputs

    /** A corpus seed of {@code kind} with mutations, or (one time in ten) arbitrary bytes. */
    private static Arbitrary<byte[]> mutants(String kind) {
        List<byte[]> seeds = corpus(kind);
        Arbitrary<byte[]> mutated = Combinators.combine(Arbitraries.integers().between(0, seeds.size() - 1),
                Mutation.arbitrary().list().ofMinSize(1).ofMaxSize(8))
                .as((i, ms) -> Mutation.applyAll(seeds.get(i), ms));
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(512);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, mutated),
                net.jqwik.api.Tuple.of(1, random));
    }

    @Provide
    Arbitrary<byte[]> safetensorsInputs() {
        return mutants("safetensors");
    }

    @Provide
    Arbitrary<byte[]> onnxInputs() {
        return mutants("onnx");
    }

    @Provide
    Arbitrary<byte[]> tokenizerInputs() {
        return mutants("tokenizer");
    }

    @Provide
    Arbitrary<byte[]> planInputs() {
        return mutants("plan");
    }

    /** An adapter folder's two files: the seed's weights with its config mutated. */
    record AdapterInput(String seed, byte[] config, byte[] weights) {
        @Override
        public String toString() {
            return seed + ": " + new String(config, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Provide
    Arbitrary<AdapterInput> adapterInputs() {
        List<Path> folders = corpusFolders("adapter");
        return Combinators.combine(Arbitraries.integers().between(0, folders.size() - 1),
                Mutation.arbitrary().list().ofMinSize(1).ofMaxSize(6)).as((i, ms) -> {
                    Path f = folders.get(i);
                    return new AdapterInput(f.getFileName().toString(),
                            Mutation.applyAll(read(f.resolve(AdapterIo.CONFIG)), ms), read(f.resolve(AdapterIo.WEIGHTS)));
                });
    }

    // ---------------------------------------------------------------- the contract

    interface Read {
        Object read() throws Exception;
    }

    /**
     * Runs {@code read} with a time limit: it must succeed or throw one of {@code allowed} with a message that names
     * {@code file}; anything else throws an AssertionError describing it (jqwik then shrinks the input).
     */
    @SafeVarargs
    private static void check(String reader, Path file, Read read, Class<? extends Throwable>... allowed)
            throws Exception {
        AtomicLong[] c = COUNTS.computeIfAbsent(reader, k -> new AtomicLong[] {new AtomicLong(), new AtomicLong()});
        Future<Throwable> f = runner.submit(() -> {
            try {
                read.read();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Throwable t;
        try {
            t = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            runner.shutdownNow();
            newRunner(); // a fresh thread for the next input; the hung one is left behind (a daemon)
            throw new AssertionError(reader + ": no answer within " + TIMEOUT_SECONDS + " s (a hang)");
        }
        if (t == null) {
            c[0].incrementAndGet();
            return;
        }
        for (Class<? extends Throwable> a : allowed) {
            if (a.isInstance(t)) {
                String m = t.getMessage();
                if (m == null || m.isBlank()) {
                    throw new AssertionError(reader + ": " + t.getClass().getSimpleName() + " without a message", t);
                }
                if (!m.contains(file.toString())) {
                    throw new AssertionError(reader + ": the message does not name " + file + ": " + m, t);
                }
                c[1].incrementAndGet();
                return;
            }
        }
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        throw new AssertionError(reader + ": " + t.getClass().getName() + " escaped the reader:\n" + w, t);
    }

    // ---------------------------------------------------------------- corpus

    private static Path write(String name, byte[] bytes) throws IOException {
        Path p = work.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static Path corpusRoot(String kind) {
        try {
            return Path.of(ReaderFuzzProperties.class.getResource("/fuzz/" + kind).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("the fuzz corpus /fuzz/" + kind + " is not on the test class path", e);
        }
    }

    static List<byte[]> corpus(String kind) {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(corpusRoot(kind))) {
            for (Path p : files.sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<Path> corpusFolders(String kind) {
        try (Stream<Path> files = Files.list(corpusRoot(kind))) {
            return files.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
