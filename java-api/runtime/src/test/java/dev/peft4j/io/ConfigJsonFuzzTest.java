package dev.peft4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.peft4j.adapter.HfCheckpoint;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Gpt2Config;
import dev.peft4j.model.Gpt2Model;
import dev.peft4j.model.Pooling;
import dev.peft4j.model.RandomWeights;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the JSON readers: a Hugging Face checkpoint's config.json (read, then the model
 * built from it, so config/weight shape mismatches are exercised) and a WordPiece tokenizer.json. Each mutant
 * must either load or fail with an IOException / IllegalArgumentException whose message names the file;
 * anything else (ClassCastException, IllegalStateException, NullPointerException, StackOverflowError, ...)
 * fails the test with the case, its seed and the mutation.
 */
class ConfigJsonFuzzTest {
    static final long SEED = 0x0C0F_16_0001L;
    static final int CASES = 500;

    @TempDir
    Path dir;

    interface Load {
        void run() throws Exception;
    }

    /** "" when it loaded or was refused as the contract allows, otherwise a description of the violation. */
    private static String outcome(Load load, Path file) {
        try {
            load.run();
            return "";
        } catch (IOException | IllegalArgumentException e) {
            return e.getMessage() != null && e.getMessage().contains(file.toString())
                    ? "" : "message does not name " + file + ": " + e;
        } catch (Throwable t) {
            return SafeTensorsFuzzTest.stackTop(t);
        }
    }

    private static void report(String what, List<String> failures, int cases) {
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + cases + " mutated " + what + " files broke the reader's contract:\n"
                    + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        }
    }

    @Test
    void mutatedCheckpointConfigsLoadOrFailNamingTheFile() throws Exception {
        BertConfig bc = new BertConfig(11, 4, 1, 2, 6, 5, 2, 1e-12f, Activation.GELU, 0f, Pooling.CLS);
        Gpt2Config gc = new Gpt2Config(11, 4, 1, 2, 6, 5, 1e-5f, Activation.GELU_TANH, 0f);
        Path bertDir = dir.resolve("bert");
        Path gptDir = dir.resolve("gpt2");
        List<String> failures = new ArrayList<>();
        try (Backend be = Backends.create("reference")) {
            try (BertModel m = BertModel.random(be, bc, 1)) {
                HfCheckpoint.save(bertDir, m);
            }
            try (Gpt2Model m = Gpt2Model.create(be, gc, RandomWeights.gpt2(gc, 1))) {
                HfCheckpoint.save(gptDir, m);
            }
            String[] valid = {
                Files.readString(bertDir.resolve(HfCheckpoint.CONFIG)), Files.readString(gptDir.resolve(HfCheckpoint.CONFIG)),
            };
            for (int i = 0; i < CASES; i++) {
                Random r = new Random(SEED + i);
                int which = i % 2;
                Path folder = which == 0 ? bertDir : gptDir;
                Path config = folder.resolve(HfCheckpoint.CONFIG);
                JsonMutator.Mutant m = JsonMutator.mutate(valid[which], r);
                Files.writeString(config, m.text());
                String o = outcome(() -> {
                    HfCheckpoint c = HfCheckpoint.read(folder);
                    if (c.kind() == HfCheckpoint.Kind.BERT) {
                        c.bert(be).close();
                    } else {
                        c.gpt2(be).close();
                    }
                }, folder);
                if (!o.isEmpty()) {
                    failures.add("case " + i + " (seed " + (SEED + i) + ", " + folder.getFileName() + ": "
                            + m.description() + "): " + o);
                }
            }
        }
        report("config.json", failures, CASES);
    }

    /** A small but complete tokenizer.json: WordPiece vocabulary, BERT normalizer, template with CLS/SEP. */
    static String tokenizerJson() {
        return """
                {"version":"1.0","truncation":null,
                 "padding":{"strategy":"BatchLongest","pad_id":0,"pad_token":"[PAD]"},
                 "added_tokens":[{"id":0,"content":"[PAD]","special":true},{"id":1,"content":"[UNK]","special":true},
                   {"id":2,"content":"[CLS]","special":true},{"id":3,"content":"[SEP]","special":true}],
                 "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,
                   "strip_accents":null,"lowercase":true},
                 "pre_tokenizer":{"type":"BertPreTokenizer"},
                 "post_processor":{"type":"TemplateProcessing",
                   "single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},
                     {"SpecialToken":{"id":"[SEP]","type_id":0}}],
                   "pair":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},
                     {"SpecialToken":{"id":"[SEP]","type_id":0}},{"Sequence":{"id":"B","type_id":1}},
                     {"SpecialToken":{"id":"[SEP]","type_id":1}}],
                   "special_tokens":{"[CLS]":{"id":"[CLS]","ids":[2],"tokens":["[CLS]"]},
                     "[SEP]":{"id":"[SEP]","ids":[3],"tokens":["[SEP]"]}}},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##",
                   "max_input_chars_per_word":100,
                   "vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"hello":4,"world":5,"un":6,"##aff":7,"##able":8}}}
                """;
    }

    @Test
    void tokenizerSeedIsValid() throws IOException {
        Path p = dir.resolve("tokenizer.json");
        Files.writeString(p, tokenizerJson());
        WordPieceTokenizer t = WordPieceTokenizer.fromJson(p);
        assertEquals(List.of("hello", "un", "##aff", "##able", "world"), t.tokenize("Hello unaffable WORLD"));
    }

    @Test
    void mutatedTokenizerJsonLoadsOrFailsNamingTheFile() throws IOException {
        Path p = dir.resolve("tokenizer.json");
        List<String> failures = new ArrayList<>();
        int loaded = 0;
        for (int i = 0; i < CASES; i++) {
            Random r = new Random(SEED + 7919 + i);
            JsonMutator.Mutant m = JsonMutator.mutate(tokenizerJson(), r);
            Files.writeString(p, m.text());
            boolean[] ok = {false};
            String o = outcome(() -> {
                WordPieceTokenizer t = WordPieceTokenizer.fromJson(p);
                ok[0] = true;
                t.encode("hello unaffable world", "hello");
            }, p);
            loaded += ok[0] ? 1 : 0;
            if (!o.isEmpty()) {
                failures.add("case " + i + " (seed " + (SEED + 7919 + i) + ", " + m.description() + "): " + o);
            }
        }
        report("tokenizer.json", failures, CASES);
        assertTrue(loaded > CASES / 10, "too few mutants loaded (" + loaded + "): fuzz is degenerate");
    }
}
