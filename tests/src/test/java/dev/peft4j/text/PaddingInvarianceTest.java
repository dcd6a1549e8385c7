package dev.peft4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.Backends;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A text's vector does not depend on the texts it is embedded with, although {@link PaddedBatches} pads shorter
 * texts to the longest of their pass: on every backend that runs here (each provider on the class path; one that
 * cannot run is skipped with its reason), the real all-MiniLM-L6-v2, texts of 7 to 42 tokens embedded alone and
 * together, bit for bit.
 */
class PaddingInvarianceTest {
    static Stream<String> backends() {
        return Backends.providers().stream().map(BackendProvider::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void aTextGetsTheSameVectorAloneAndPaddedInAPass(String name) throws Exception {
        BackendProvider provider = Backends.providers().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
        Availability a = provider.availability();
        Assumptions.assumeTrue(a.available(), () -> name + " cannot run here: " + a.reason());
        List<String> texts = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(3);
        String[] words = "the film story acting plot director scene music camera ending slow funny dark clever".split(" ");
        for (int n : new int[] {40, 36, 30, 20, 5}) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < n; w++) {
                sb.append(words[rng.nextInt(words.length)]).append(' ');
            }
            texts.add(sb.toString().trim());
        }
        try (Backend backend = Backends.create(name);
             TextEncoder encoder = TextEncoder.builder(BaseModel.miniLm()).backend(backend).build()) {
            int[] lengths = texts.stream().mapToInt(t -> encoder.countTokens(t) + 2).toArray();
            List<List<Integer>> passes = PaddedBatches.passes(lengths, 512);
            int padded = 0;
            for (List<Integer> pass : passes) {
                int t = PaddedBatches.paddedLength(lengths[pass.get(0)], 512);
                for (int i : pass) {
                    padded += PaddedBatches.paddedLength(lengths[i], 512) < t ? 1 : 0;
                }
            }
            assertTrue(padded >= 2, "the test needs texts padded beyond their own length; passes " + passes);
            float[][] together = encoder.embed(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(encoder.embed(texts.get(i)), together[i], name + ": text " + i + " (" + lengths[i]
                        + " tokens) alone and in passes " + passes);
            }
        }
    }
}
