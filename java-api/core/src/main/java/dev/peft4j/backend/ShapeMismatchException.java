package dev.peft4j.backend;

/** A kernel argument has the wrong shape for the others; the message names the arguments and their shapes. */
public class ShapeMismatchException extends IllegalArgumentException {
    public ShapeMismatchException(String message) {
        super(message);
    }
}
