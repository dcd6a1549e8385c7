package dev.peft4j.adapter;

import java.io.IOException;

/** An adapter, checkpoint or config file that does not fit the model; the message names the file and the key or field. */
public final class AdapterFormatException extends IOException {
    public AdapterFormatException(String message) {
        super(message);
    }

    public AdapterFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
