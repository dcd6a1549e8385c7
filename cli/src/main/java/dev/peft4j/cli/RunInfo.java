package dev.peft4j.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.peft4j.model.Pooling;
import dev.peft4j.text.BaseModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What a fine-tuning run leaves beside its adapter (run.json), so that eval, predict, merge and export can rebuild
 * the same classifier: the base model and its pooling ({@code pooling} null: the model's own, as before the field
 * existed), the label names, the tokenisation length and the data split (its seed is {@code splitSeed}; run.json
 * files written before that field existed used {@code seed} for the split).
 */
record RunInfo(String model, List<String> labels, int maxLength, String dataset, int train, int validation, int test,
               long seed, Long splitSeed, Pooling pooling) {
    static final String FILE = "run.json";
    static final String ADAPTER_DIR = "adapter";

    void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().create().toJson(this));
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static RunInfo read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        RunInfo r;
        try {
            r = new Gson().fromJson(Files.readString(file), RunInfo.class);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " is missing: --run must name the --output folder of a finetune run");
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + dev.peft4j.io.JsonText.parseProblem(e));
        }
        if (r == null || r.model() == null || r.labels() == null || r.labels().size() < 2 || r.maxLength() < 3) {
            throw new IllegalArgumentException(file + ": fields model, labels (≥ 2) and maxLength (≥ 3) are required");
        }
        return r;
    }

    /** The run's base model (a built-in name or a folder's absolute path), pooled as the run was. */
    BaseModel base() throws IOException {
        BaseModel b = BaseModel.resolve(model);
        return pooling == null ? b : b.withPooling(pooling);
    }

    /** What tells two runs' base models apart: a built-in model's name or a folder's path, and the pooling. */
    String baseIdentity() throws IOException {
        BaseModel b = base();
        return (Files.isDirectory(Path.of(model)) ? model : b.name()) + " (" + b.pooling() + " pooling)";
    }

    /** The seed of the shuffle that cut train/validation/test. */
    long dataSplitSeed() {
        return splitSeed != null ? splitSeed : seed;
    }
}
