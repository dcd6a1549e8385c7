package dev.peft4j.testing;

import dev.peft4j.train.EncodedExample;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Synthetic classification examples for trainer and search tests (shared through the peft4j-runtime test-jar). */
public final class SyntheticExamples {
    private SyntheticExamples() {}

    /** Label 1 iff token 5 occurs; lengths vary so batches carry padding. */
    public static List<EncodedExample> tokenFiveTask(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<EncodedExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 4 + rng.nextInt(8);
            int[] ids = new int[len];
            for (int j = 0; j < len; j++) {
                ids[j] = 10 + rng.nextInt(30);
            }
            int label = rng.nextInt(2);
            if (label == 1) {
                ids[rng.nextInt(len)] = 5;
            }
            out.add(new EncodedExample(ids, null, label));
        }
        return out;
    }
}
