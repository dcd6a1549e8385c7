package dev.peft4j.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Texts per second of {@code embedAll} for batches of 32 (or batchSize) texts of 128 tokens (MiniLM truncates to
 * 128), peft4j's {@link Peft4jEmbeddingModel} against langchain4j's in-process MiniLM (onnxruntime), alternated in
 * one run: {@code tools/embed-throughput.sh [rounds] [batchesPerRound] [batchSize] [uniform|varied]}. With
 * {@code varied}, the texts run from 8 to 160 words (about 10 to 128 tokens) and every batch of a round holds other
 * texts, as an embedding service sees them. Prints each round and the medians.
 */
public final class EmbeddingThroughput {
    private EmbeddingThroughput() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        boolean varied = args.length > 3 && args[3].equals("varied");
        if (args.length > 3 && !varied && !args[3].equals("uniform")) {
            throw new IllegalArgumentException("lengths must be uniform or varied, got " + args[3]);
        }
        List<TextSegment> uniform = varied ? null : reviews(batchSize, 7);
        List<List<TextSegment>> round = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            round.add(varied ? variedReviews(batchSize, 100 + b) : uniform);
        }
        List<TextSegment> texts = round.get(0);
        EmbeddingModel theirs = new AllMiniLmL6V2EmbeddingModel();
        try (Peft4jEmbeddingModel ours = Peft4jEmbeddingModel.builder().build()) {
            int tokens = 0;
            for (List<TextSegment> batch : round) {
                tokens += ours.embedAll(batch).tokenUsage().inputTokenCount();
            }
            double perText = (double) tokens / (batches * batchSize) + 2; // with [CLS] and [SEP]
            System.out.printf("%d texts of %s tokens; %d rounds of %d batches; cores: %d%n", batchSize,
                    varied ? String.format("%.0f on average (8 to 160 words, at most 128 tokens)", perText)
                            : String.format("%.0f", perText),
                    rounds, batches, Runtime.getRuntime().availableProcessors());
            for (int i = 0; i < 2; i++) {      // warm-up
                ours.embedAll(texts);
                theirs.embedAll(texts);
            }
            double[] p = new double[rounds];
            double[] l = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                p[r] = textsPerSecond(ours, round);
                l[r] = textsPerSecond(theirs, round);
                System.out.printf("round %d: peft4j %.1f texts/s, langchain4j (onnxruntime) %.1f texts/s%n", r + 1, p[r], l[r]);
            }
            Arrays.sort(p);
            Arrays.sort(l);
            System.out.printf("median: peft4j %.1f texts/s, langchain4j %.1f texts/s, ratio %.2f%n",
                    p[rounds / 2], l[rounds / 2], p[rounds / 2] / l[rounds / 2]);
        }
    }

    static double textsPerSecond(EmbeddingModel model, List<List<TextSegment>> batches) {
        long start = System.nanoTime();
        int texts = 0;
        for (List<TextSegment> batch : batches) {
            model.embedAll(batch);
            texts += batch.size();
        }
        return texts / ((System.nanoTime() - start) / 1e9);
    }

    /** Review-like texts long enough to fill 128 tokens, different from each other. */
    static List<TextSegment> reviews(int n, long seed) {
        return reviews(n, seed, 160, 160);
    }

    /** Review-like texts of 8 to 160 words, different from each other. */
    static List<TextSegment> variedReviews(int n, long seed) {
        return reviews(n, seed, 8, 160);
    }

    private static List<TextSegment> reviews(int n, long seed, int minWords, int maxWords) {
        String[] words = ("the film story acting plot director scene music camera performance character ending "
                + "beautiful boring brilliant slow funny dark moving predictable clever awkward honest tense quiet "
                + "loud and but with without although because never always often rarely really quite very").split(" ");
        SplittableRandom rng = new SplittableRandom(seed);
        List<TextSegment> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int length = minWords == maxWords ? minWords : minWords + rng.nextInt(maxWords - minWords + 1);
            for (int w = 0; w < length; w++) {
                sb.append(words[rng.nextInt(words.length)]).append(w % 12 == 11 ? ". " : " ");
            }
            out.add(TextSegment.from(sb.toString().trim()));
        }
        return out;
    }
}
