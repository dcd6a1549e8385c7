package dev.peft4j.io.onnx;

/** An ONNX file that is not valid protobuf or not a usable ModelProto; the message names the byte offset. */
public final class OnnxFormatException extends RuntimeException {
    public OnnxFormatException(String message) {
        super(message);
    }
}
