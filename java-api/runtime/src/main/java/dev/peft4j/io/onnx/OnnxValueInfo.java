package dev.peft4j.io.onnx;

import java.util.List;

/**
 * A graph input or output: its name, element type and dims, each a number or a symbolic name
 * ({@code batch_size}); an empty list when the type carries no shape.
 */
public record OnnxValueInfo(String name, int elemType, List<String> dims) {}
