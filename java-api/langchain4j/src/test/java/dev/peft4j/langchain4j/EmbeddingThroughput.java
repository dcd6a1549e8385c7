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
 * one run: {@code tools/embed-throughput.sh [rounds] [batchesPerRound] [batchSize]}. Prints each round and the
 * medians.
 */
public final class EmbeddingThroughput {
    private EmbeddingThroughput() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        List<TextSegment> texts = reviews(batchSize, 7);
        EmbeddingModel theirs = new AllMiniLmL6V2EmbeddingModel();
        try (Peft4jEmbeddingModel ours = Peft4jEmbeddingModel.builder().build()) {
            System.out.printf("%d texts of %d tokens each; %d rounds of %d batches; cores: %d%n", batchSize,
                    ours.embedAll(texts.subList(0, 1)).tokenUsage().inputTokenCount() + 2, rounds, batches,
                    Runtime.getRuntime().availableProcessors());
            for (int i = 0; i < 2; i++) {      // warm-up
                ours.embedAll(texts);
                theirs.embedAll(texts);
            }
            double[] p = new double[rounds];
            double[] l = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                p[r] = textsPerSecond(ours, texts, batches);
                l[r] = textsPerSecond(theirs, texts, batches);
                System.out.printf("round %d: peft4j %.1f texts/s, langchain4j (onnxruntime) %.1f texts/s%n", r + 1, p[r], l[r]);
            }
            Arrays.sort(p);
            Arrays.sort(l);
            System.out.printf("median: peft4j %.1f texts/s, langchain4j %.1f texts/s, ratio %.2f%n",
                    p[rounds / 2], l[rounds / 2], p[rounds / 2] / l[rounds / 2]);
        }
    }

    static double textsPerSecond(EmbeddingModel model, List<TextSegment> texts, int batches) {
        long start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            model.embedAll(texts);
        }
        return (double) batches * texts.size() / ((System.nanoTime() - start) / 1e9);
    }

    /** Review-like texts long enough to fill 128 tokens, different from each other. */
    static List<TextSegment> reviews(int n, long seed) {
        String[] words = ("the film story acting plot director scene music camera performance character ending "
                + "beautiful boring brilliant slow funny dark moving predictable clever awkward honest tense quiet "
                + "loud and but with without although because never always often rarely really quite very").split(" ");
        SplittableRandom rng = new SplittableRandom(seed);
        List<TextSegment> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 160; w++) {
                sb.append(words[rng.nextInt(words.length)]).append(w % 12 == 11 ? ". " : " ");
            }
            out.add(TextSegment.from(sb.toString().trim()));
        }
        return out;
    }
}
