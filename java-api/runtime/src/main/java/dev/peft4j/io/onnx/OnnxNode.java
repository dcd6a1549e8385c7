package dev.peft4j.io.onnx;

import java.util.List;
import java.util.Map;

/**
 * A NodeProto: one operator application. {@code tensorAttributes} holds tensor-valued attributes (the
 * {@code value} of a Constant node); {@code intAttributes} the integer ones (e.g. {@code axis}).
 */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs,
                       Map<String, OnnxTensor> tensorAttributes, Map<String, Long> intAttributes) {}
