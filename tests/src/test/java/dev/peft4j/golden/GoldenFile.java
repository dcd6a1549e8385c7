package dev.peft4j.golden;

import dev.peft4j.io.SafeTensors;
import dev.peft4j.io.SafeTensorsContent;
import dev.peft4j.io.TensorData;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A golden file written by tools/golden/gen_model_gradients.py: {@code weights/<name>} (base weights in Hugging
 * Face layout), {@code params/<name>} and {@code grads/<name>} (every trainable parameter under peft4j's name),
 * {@code inputs/<name>} (integers stored as F32), {@code loss} {@code [1]}, and the configuration as metadata.
 */
record GoldenFile(String resource, SafeTensorsContent content) {
    static GoldenFile load(String resource) {
        URL url = GoldenFile.class.getResource("/golden/" + resource);
        if (url == null) {
            throw new IllegalStateException("golden resource /golden/" + resource + " is missing; regenerate it with "
                    + "/usr/bin/python3 tools/golden/gen_model_gradients.py");
        }
        try {
            return new GoldenFile(resource, SafeTensors.read(Path.of(url.toURI())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read golden resource " + resource, e);
        }
    }

    Map<String, TensorData> weights() {
        return section("weights/");
    }

    Map<String, TensorData> params() {
        return section("params/");
    }

    Map<String, TensorData> grads() {
        return section("grads/");
    }

    float loss() {
        return content.get("loss").data()[0];
    }

    int[] ints(String input) {
        float[] v = content.get("inputs/" + input).data();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.round(v[i]);
        }
        return out;
    }

    float[] floats(String input) {
        return content.get("inputs/" + input).data();
    }

    int meta(String key) {
        return Integer.parseInt(text(key));
    }

    String text(String key) {
        String v = content.metadata().get(key);
        if (v == null) {
            throw new IllegalArgumentException(resource + ": metadata has no '" + key + "'; present: "
                    + content.metadata().keySet());
        }
        return v;
    }

    private Map<String, TensorData> section(String prefix) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        content.tensors().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
