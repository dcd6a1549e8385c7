package dev.peft4j.io;

import java.io.IOException;

/** A safetensors file whose header or layout is invalid; the message names the file, tensor, field and offset. */
public final class SafeTensorsFormatException extends IOException {
    public SafeTensorsFormatException(String message) {
        super(message);
    }

    public SafeTensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
