package dev.peft4j.io;

import java.util.Map;

/**
 * What a safetensors file holds: named float32 tensors (in the file's header order) and the string metadata.
 */
public record SafeTensorsContent(Map<String, TensorData> tensors, Map<String, String> metadata) {
    public SafeTensorsContent {
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }

    /** The tensor called {@code name}; throws naming the missing name when absent. */
    public TensorData get(String name) {
        TensorData t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "'");
        }
        return t;
    }
}
