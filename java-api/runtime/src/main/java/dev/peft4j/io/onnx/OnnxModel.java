package dev.peft4j.io.onnx;

/** A ModelProto: format version, producer and the main graph. */
public record OnnxModel(long irVersion, String producerName, String producerVersion, OnnxGraph graph) {}
