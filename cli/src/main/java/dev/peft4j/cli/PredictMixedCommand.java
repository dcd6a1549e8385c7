package dev.peft4j.cli;

import dev.peft4j.text.BaseModel;
import dev.peft4j.backend.Backend;
import dev.peft4j.model.Batch;
import dev.peft4j.model.MixedLoraClassifier;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.tokenizer.Encoding;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Classifies texts with several LoRA runs at once: one base model in memory, and each batch mixes texts of every run
 * (each linear layer adds each row's own LoRA term, the SGMV kernel), in input order.
 */
@Command(name = "predict-mixed", mixinStandardHelpOptions = true,
        description = {"Classify texts, each with its own LoRA fine-tuning run, in shared batches on one base model.",
            "Input: one text per line as NAME<TAB>TEXT (NAME from --adapter). Output per line:",
            "NAME<TAB>LABEL<TAB>probabilities<TAB>TEXT, in input order, the text escaped (\\t, \\n, \\\\, \\u001b...)."})
final class PredictMixedCommand implements Callable<Integer> {
    @Mixin
    BackendOption backend = new BackendOption();
    @Option(names = "--adapter", required = true, paramLabel = "NAME=RUN",
            description = "a name and the --output folder of a LoRA finetune run (repeat; every run on the same base model)")
    List<String> adapterOptions = new ArrayList<>();
    /** The adapters by name, from {@link #adapterOptions}. */
    private Map<String, Path> adapters;
    @Option(names = "--input", paramLabel = "FILE", defaultValue = "-",
            description = "the NAME<TAB>TEXT lines (default: standard input)")
    String input;
    @Option(names = "--batch", defaultValue = "32", description = "texts per batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    private record Request(int adapter, String text, Encoding encoding) {}

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--batch", batchSize, 1);
        adapters = AdapterOptions.byName(adapterOptions);
        List<String> names = new ArrayList<>(adapters.keySet());
        List<RunInfo> infos = new ArrayList<>();
        for (Map.Entry<String, Path> e : adapters.entrySet()) {
            infos.add(RunInfo.read(e.getValue()));
        }
        BaseModel base = infos.get(0).base();
        for (int i = 1; i < infos.size(); i++) {
            String first = infos.get(0).baseIdentity();
            String other = infos.get(i).baseIdentity();
            if (!other.equals(first)) {
                throw new IllegalArgumentException("adapter '" + names.get(i) + "' (" + adapters.get(names.get(i))
                        + ") was trained on " + other + " but '" + names.get(0) + "' on " + first
                        + "; mixed serving needs one base model, pooled one way");
            }
        }
        WordPieceTokenizer tokenizer = base.tokenizer();
        List<Request> requests = read(names, infos, tokenizer);
        try (Backend be = backend.create(); MixedLoraClassifier mixed = load(be, base, names)) {
            for (int from = 0; from < requests.size(); from += batchSize) {
                List<Request> chunk = requests.subList(from, Math.min(requests.size(), from + batchSize));
                float[][] probs = mixed.probabilities(batch(chunk, tokenizer.padId()),
                        chunk.stream().mapToInt(Request::adapter).toArray());
                for (int i = 0; i < chunk.size(); i++) {
                    Request r = chunk.get(i);
                    System.out.println(line(names.get(r.adapter()), infos.get(r.adapter()).labels(), probs[i], r.text()));
                }
            }
        }
        return 0;
    }

    /** Each run rebuilt in turn (base + its adapter), its LoRA and head copied, then closed: one run in memory at a time. */
    private MixedLoraClassifier load(Backend be, BaseModel base, List<String> names) throws IOException {
        var encoder = base.load(be, 0f);
        try {
            MixedLoraClassifier.Builder builder = MixedLoraClassifier.builder(encoder);
            for (String name : names) {
                try (SequenceClassifier trained = TrainedClassifier.load(adapters.get(name), be).classifier) {
                    builder.add(name, trained);
                }
            }
            return builder.build();
        } catch (IOException | RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    private List<Request> read(List<String> names, List<RunInfo> infos, WordPieceTokenizer tokenizer) throws IOException {
        List<Request> out = new ArrayList<>();
        try (TextLines in = TextLines.open(input)) {
            String line;
            while ((line = in.next()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    throw new IllegalArgumentException(in.name() + " line " + in.number() + ": expected NAME<TAB>TEXT, found no tab");
                }
                int adapter = names.indexOf(line.substring(0, tab));
                if (adapter < 0) {
                    throw new IllegalArgumentException(in.name() + " line " + in.number() + ": unknown adapter '"
                            + TsvText.escape(line.substring(0, tab)) + "'; --adapter gave " + names);
                }
                String text = line.substring(tab + 1);
                out.add(new Request(adapter, text, tokenizer.encode(text, null, infos.get(adapter).maxLength())));
            }
        }
        return out;
    }

    /** The chunk's encodings right-padded to the longest one. */
    private static Batch batch(List<Request> chunk, int padId) {
        int t = chunk.stream().mapToInt(r -> r.encoding().ids().length).max().orElse(1);
        int b = chunk.size();
        int[] ids = new int[b * t];
        int[] types = new int[b * t];
        float[] mask = new float[b * t];
        Arrays.fill(ids, padId);
        for (int i = 0; i < b; i++) {
            Encoding e = chunk.get(i).encoding();
            System.arraycopy(e.ids(), 0, ids, i * t, e.ids().length);
            System.arraycopy(e.typeIds(), 0, types, i * t, e.typeIds().length);
            Arrays.fill(mask, i * t, i * t + e.ids().length, 1f);
        }
        return new Batch(b, t, ids, types, mask, null);
    }

    private static String line(String name, List<String> labels, float[] p, String text) {
        int best = 0;
        StringBuilder probs = new StringBuilder();
        for (int k = 0; k < p.length; k++) {
            best = p[k] > p[best] ? k : best;
            probs.append(String.format("%s%s=%.4f", k == 0 ? "" : "  ", labels.get(k), p[k]));
        }
        return name + "\t" + TsvText.escape(labels.get(best)) + "\t" + probs + "\t" + TsvText.escape(text);
    }
}
