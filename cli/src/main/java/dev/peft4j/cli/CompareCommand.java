package dev.peft4j.cli;

import dev.peft4j.search.ClassifierTrialRunner;
import dev.peft4j.search.PairedComparison;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Compares two configurations on the same held-out examples over the same seeds: each folder holds one
 * {@code seed-N/test-predictions.tsv} per seed (as {@code tools/search-experiment.sh} lays out finetune runs);
 * prints Δ (candidate − baseline, mean over seeds), its paired-bootstrap 95 % interval and p-value, and McNemar's
 * exact p-value ({@link PairedComparison}).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Paired bootstrap and McNemar test of two configurations' held-out predictions over seeds.")
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--baseline", required = true, description = "folder with seed-*/test-predictions.tsv")
    Path baseline;
    @Option(names = "--candidate", required = true, description = "folder with seed-*/test-predictions.tsv (the same seeds)")
    Path candidate;
    @Option(names = "--metric", description = "accuracy or macro-f1 (default ${DEFAULT-VALUE})")
    String metric = "accuracy";
    @Option(names = "--resamples", description = "bootstrap resamples (default ${DEFAULT-VALUE})")
    int resamples = 10_000;
    @Option(names = "--seed", description = "seed of the bootstrap (default ${DEFAULT-VALUE})")
    long seed = 1;
    @Option(names = "--labels", description = "number of classes (default ${DEFAULT-VALUE})")
    int labels = 2;

    @Override
    public Integer call() throws IOException {
        ClassifierTrialRunner.Score score = switch (metric.toLowerCase(Locale.ROOT)) {
            case "accuracy" -> ClassifierTrialRunner.Score.ACCURACY;
            case "macro-f1" -> ClassifierTrialRunner.Score.MACRO_F1;
            default -> throw new IllegalArgumentException("unknown --metric '" + metric + "'; use accuracy or macro-f1");
        };
        List<String> seeds = seedFolders(baseline);
        if (!seeds.equals(seedFolders(candidate))) {
            throw new IllegalArgumentException(baseline + " has seeds " + seeds + " but " + candidate + " has "
                    + seedFolders(candidate) + "; a paired comparison needs the same seeds");
        }
        int[] labelsOf = null;
        List<int[]> a = new ArrayList<>();
        List<int[]> b = new ArrayList<>();
        for (String s : seeds) {
            int[][] pa = read(baseline.resolve(s).resolve(FinetuneCommand.TEST_PREDICTIONS));
            int[][] pb = read(candidate.resolve(s).resolve(FinetuneCommand.TEST_PREDICTIONS));
            for (int[][] p : new int[][][] {pa, pb}) {
                if (labelsOf == null) {
                    labelsOf = p[0];
                } else if (!java.util.Arrays.equals(labelsOf, p[0])) {
                    throw new IllegalArgumentException(s + ": the two runs were tested on different examples (labels differ)");
                }
            }
            a.add(pa[1]);
            b.add(pb[1]);
        }
        PairedComparison.Result r = PairedComparison.compare(labelsOf, a, b, labels, score, resamples, seed);
        System.out.printf(Locale.ROOT, "%s − %s, %s over %d seeds × %d examples: Δ %+.2f points, 95 %% CI [%+.2f, %+.2f], "
                + "bootstrap p %.4f; McNemar: %d baseline-only vs %d candidate-only correct, p %.4g%n",
                candidate, baseline, metric, r.seeds(), r.examples(), 100 * r.delta(), 100 * r.low(), 100 * r.high(),
                r.bootstrapP(), r.baselineOnly(), r.candidateOnly(), r.mcnemarP());
        return 0;
    }

    private static List<String> seedFolders(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a folder");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<String> out = s.filter(p -> p.getFileName().toString().startsWith("seed-")
                    && Files.isRegularFile(p.resolve(FinetuneCommand.TEST_PREDICTIONS)))
                    .map(p -> p.getFileName().toString()).sorted().toList();
            if (out.isEmpty()) {
                throw new IOException(dir + " holds no seed-*/" + FinetuneCommand.TEST_PREDICTIONS);
            }
            return out;
        }
    }

    /** {labels, predicted}, by index. */
    private static int[][] read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || !lines.get(0).equals("index\tlabel\tpredicted")) {
            throw new IOException(file + ": line 1 must be the header index<TAB>label<TAB>predicted");
        }
        int n = lines.size() - 1;
        int[][] out = new int[2][n];
        for (int i = 0; i < n; i++) {
            String[] c = lines.get(i + 1).split("\t");
            if (c.length != 3 || !c[0].equals(Integer.toString(i))) {
                throw new IOException(file + " line " + (i + 2) + ": expected " + i + "<TAB>label<TAB>predicted, got '"
                        + lines.get(i + 1) + "'");
            }
            out[0][i] = Integer.parseInt(c[1]);
            out[1][i] = Integer.parseInt(c[2]);
        }
        return out;
    }
}
