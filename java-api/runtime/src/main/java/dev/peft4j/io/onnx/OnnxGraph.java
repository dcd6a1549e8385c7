package dev.peft4j.io.onnx;

import java.util.List;
import java.util.Map;

/** A GraphProto: nodes in file order, initializers by name (file order), inputs and outputs. */
public record OnnxGraph(String name, List<OnnxNode> nodes, Map<String, OnnxTensor> initializers,
                        List<OnnxValueInfo> inputs, List<OnnxValueInfo> outputs) {}
