package dev.peft4j.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.peft4j.io.JsonText;
import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.SafeTensorsContent;
import dev.peft4j.io.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * A {@link TrainingCheckpoint} as one safetensors file, written atomically (temporary file, fsync, rename, so a
 * kill at any moment leaves the previous checkpoint intact). Tensors: {@code value/<name>}, {@code adam_m/<name>},
 * {@code adam_v/<name>}, {@code best/<name>} and {@code losses} {@code [step]}; metadata: position, history, best
 * metrics, the run's fingerprint, and a CRC-32 over every tensor's name, shape and bits plus the other metadata,
 * so a corrupted file is rejected rather than resumed from. A file whose checksum holds but whose metadata is wrong
 * (hand-edited: a field missing, not a number, JSON of the wrong shape) is rejected with a {@link CheckpointException}
 * naming the file and the field; JSON values are read only as primitives of their kind (see {@link JsonText}).
 */
final class CheckpointFile {
    static final String FORMAT = "peft4j-training-checkpoint-1";

    private CheckpointFile() {}

    static void write(Path file, TrainingCheckpoint c) throws IOException {
        Map<String, TensorData> t = new LinkedHashMap<>();
        for (int i = 0; i < c.names().size(); i++) {
            String n = c.names().get(i);
            int[] shape = c.shapes().get(i);
            t.put("value/" + n, new TensorData(shape, c.values()[i]));
            t.put("adam_m/" + n, new TensorData(shape, c.adamM()[i]));
            t.put("adam_v/" + n, new TensorData(shape, c.adamV()[i]));
            if (c.bestValues() != null) {
                t.put("best/" + n, new TensorData(shape, c.bestValues()[i]));
            }
        }
        t.put("losses", new TensorData(new int[] {c.losses().length}, c.losses()));
        Map<String, String> meta = new TreeMap<>();
        meta.put("format", FORMAT);
        meta.put("fingerprint", c.fingerprint());
        meta.put("step", Long.toString(c.step()));
        meta.put("epoch", Integer.toString(c.epoch()));
        meta.put("micro", Integer.toString(c.micro()));
        meta.put("tokens", Long.toString(c.tokens()));
        meta.put("since_best", Integer.toString(c.sinceBest()));
        meta.put("names", namesJson(c.names()));
        JsonArray history = new JsonArray();
        c.history().forEach(m -> history.add(metrics(m)));
        meta.put("history", history.toString());
        if (c.best() != null) {
            meta.put("best", metrics(c.best()).toString());
        }
        meta.put("crc32", Long.toString(crc(t, meta)));
        SafeTensors.write(file, t, meta);
    }

    /** Reads and verifies a checkpoint; every problem names the file. */
    static TrainingCheckpoint read(Path file) throws IOException {
        SafeTensorsContent content;
        try {
            content = SafeTensors.readWeights(file);
        } catch (IOException e) {
            if (e instanceof java.nio.file.NoSuchFileException) {
                throw e;
            }
            throw new CheckpointException(file + ": corrupt or truncated checkpoint: " + e.getMessage(), e);
        }
        Map<String, String> meta = content.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new CheckpointException(file + ": not a peft4j training checkpoint (metadata format = " + meta.get("format") + ")");
        }
        Map<String, String> rest = new TreeMap<>(meta);
        String stored = rest.remove("crc32");
        long actual = crc(content.tensors(), rest);
        if (stored == null || !stored.equals(Long.toString(actual))) {
            throw new CheckpointException(file + ": checksum mismatch (stored " + stored + ", computed " + actual
                    + "): the checkpoint is corrupt");
        }
        try {
            List<String> names = new ArrayList<>();
            JsonArray nameArray = JsonText.array(metaJson(meta, "names"), "metadata field names");
            for (int i = 0; i < nameArray.size(); i++) {
                names.add(JsonText.asString(nameArray.get(i), "names[" + i + "]"));
            }
            int n = names.size();
            List<int[]> shapes = new ArrayList<>();
            float[][] values = new float[n][];
            float[][] m = new float[n][];
            float[][] v = new float[n][];
            boolean hasBest = meta.containsKey("best");
            float[][] best = hasBest ? new float[n][] : null;
            for (int i = 0; i < n; i++) {
                String name = names.get(i);
                TensorData value = tensor(content, "value/" + name, null);
                shapes.add(value.shape());
                values[i] = value.data();
                m[i] = tensor(content, "adam_m/" + name, value.shape()).data();
                v[i] = tensor(content, "adam_v/" + name, value.shape()).data();
                if (hasBest) {
                    best[i] = tensor(content, "best/" + name, value.shape()).data();
                }
            }
            List<Metrics> history = new ArrayList<>();
            JsonArray historyArray = JsonText.array(metaJson(meta, "history"), "metadata field history");
            for (int i = 0; i < historyArray.size(); i++) {
                String at = "history[" + i + "]";
                history.add(metrics(JsonText.object(historyArray.get(i), "metadata field " + at), at));
            }
            Metrics bestMetrics = hasBest ? metrics(JsonText.object(metaJson(meta, "best"), "metadata field best"), "best") : null;
            long step = atLeastZero(meta, "step", metaLong(meta, "step"));
            int epoch = (int) atLeastZero(meta, "epoch", metaInt(meta, "epoch"));
            int micro = (int) atLeastZero(meta, "micro", metaInt(meta, "micro"));
            long tokens = atLeastZero(meta, "tokens", metaLong(meta, "tokens"));
            int sinceBest = (int) atLeastZero(meta, "since_best", metaInt(meta, "since_best"));
            TensorData losses = tensor(content, "losses", null);
            if (losses.shape().length != 1 || losses.data().length != step) {
                throw new IllegalArgumentException("tensor losses has shape " + Arrays.toString(losses.shape())
                        + " but metadata field step is " + step + " (one loss per step: [" + step + "])");
            }
            return new TrainingCheckpoint(metaString(meta, "fingerprint"), step, epoch, micro, tokens,
                    losses.data(), names, shapes, values, m, v, history, bestMetrics, best, sinceBest);
        } catch (RuntimeException e) {
            throw new CheckpointException(file + ": malformed checkpoint: " + JsonText.parseProblem(e), e);
        }
    }

    private static long atLeastZero(Map<String, String> meta, String key, long v) {
        if (v < 0) {
            throw new IllegalArgumentException("metadata field " + key + " is " + v + "; it must be ≥ 0");
        }
        return v;
    }

    private static String metaString(Map<String, String> meta, String key) {
        String s = meta.get(key);
        if (s == null) {
            throw new IllegalArgumentException("metadata field " + key + " is missing");
        }
        return s;
    }

    private static long metaLong(Map<String, String> meta, String key) {
        String s = metaString(meta, key);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata field " + key + ": expected a whole number, got "
                    + JsonText.describe(new JsonPrimitive(s)));
        }
    }

    private static int metaInt(Map<String, String> meta, String key) {
        long v = metaLong(meta, key);
        if (v != (int) v) {
            throw new IllegalArgumentException("metadata field " + key + ": " + v + " is outside the int range");
        }
        return (int) v;
    }

    /** A metadata value that holds JSON text (names, history, best), parsed. */
    private static JsonElement metaJson(Map<String, String> meta, String key) {
        try {
            return JsonParser.parseString(metaString(meta, key));
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("metadata field " + key + " is not JSON: " + JsonText.parseProblem(e));
        }
    }

    /** The named tensor; with {@code shape}, it must have that shape (a moment or snapshot beside its value). */
    private static TensorData tensor(SafeTensorsContent content, String name, int[] shape) {
        TensorData t = content.tensors().get(name);
        if (t == null) {
            throw new IllegalArgumentException("tensor " + name + " is missing");
        }
        if (shape != null && !Arrays.equals(shape, t.shape())) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", its value's is " + Arrays.toString(shape));
        }
        return t;
    }

    private static String namesJson(List<String> names) {
        JsonArray a = new JsonArray();
        names.forEach(a::add);
        return a.toString();
    }

    private static JsonObject metrics(Metrics m) {
        JsonObject o = new JsonObject();
        o.addProperty("loss", m.loss());
        o.addProperty("accuracy", m.accuracy());
        o.addProperty("macro_f1", m.macroF1());
        o.addProperty("count", m.count());
        return o;
    }

    private static Metrics metrics(JsonObject o, String at) {
        return new Metrics(JsonText.number(o, at, "loss"), JsonText.number(o, at, "accuracy"),
                JsonText.number(o, at, "macro_f1"), JsonText.intNumber(o, at, "count"));
    }

    /** CRC-32 over the tensors (sorted by name: name, shape, float bits) and the metadata (sorted: key, value). */
    static long crc(Map<String, TensorData> tensors, Map<String, String> meta) {
        CRC32 crc = new CRC32();
        for (Map.Entry<String, TensorData> e : new TreeMap<>(tensors).entrySet()) {
            crc.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            crc.update(Arrays.toString(e.getValue().shape()).getBytes(StandardCharsets.UTF_8));
            float[] d = e.getValue().data();
            ByteBuffer b = ByteBuffer.allocate(4 * d.length);
            b.asFloatBuffer().put(d);
            crc.update(b.array());
        }
        for (Map.Entry<String, String> e : new TreeMap<>(meta).entrySet()) {
            crc.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            crc.update(0);
            crc.update(e.getValue().getBytes(StandardCharsets.UTF_8));
            crc.update(0);
        }
        return crc.getValue();
    }
}
