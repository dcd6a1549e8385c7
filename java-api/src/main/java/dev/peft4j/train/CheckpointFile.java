package dev.peft4j.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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
 * so a corrupted file is rejected rather than resumed from.
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
            content = SafeTensors.read(file);
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
            JsonParser.parseString(meta.get("names")).getAsJsonArray().forEach(e -> names.add(e.getAsString()));
            int n = names.size();
            List<int[]> shapes = new ArrayList<>();
            float[][] values = new float[n][];
            float[][] m = new float[n][];
            float[][] v = new float[n][];
            boolean hasBest = meta.containsKey("best");
            float[][] best = hasBest ? new float[n][] : null;
            for (int i = 0; i < n; i++) {
                String name = names.get(i);
                TensorData value = content.get("value/" + name);
                shapes.add(value.shape());
                values[i] = value.data();
                m[i] = content.get("adam_m/" + name).data();
                v[i] = content.get("adam_v/" + name).data();
                if (hasBest) {
                    best[i] = content.get("best/" + name).data();
                }
            }
            List<Metrics> history = new ArrayList<>();
            for (JsonElement e : JsonParser.parseString(meta.get("history")).getAsJsonArray()) {
                history.add(metrics(e.getAsJsonObject()));
            }
            Metrics bestMetrics = hasBest ? metrics(JsonParser.parseString(meta.get("best")).getAsJsonObject()) : null;
            return new TrainingCheckpoint(meta.get("fingerprint"), Long.parseLong(meta.get("step")),
                    Integer.parseInt(meta.get("epoch")), Integer.parseInt(meta.get("micro")), Long.parseLong(meta.get("tokens")),
                    content.get("losses").data(), names, shapes, values, m, v, history, bestMetrics, best,
                    Integer.parseInt(meta.get("since_best")));
        } catch (RuntimeException e) {
            throw new CheckpointException(file + ": malformed checkpoint: " + e.getMessage(), e);
        }
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

    private static Metrics metrics(JsonObject o) {
        return new Metrics(o.get("loss").getAsDouble(), o.get("accuracy").getAsDouble(), o.get("macro_f1").getAsDouble(),
                o.get("count").getAsInt());
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
