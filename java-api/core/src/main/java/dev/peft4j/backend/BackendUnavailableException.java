package dev.peft4j.backend;

/** A backend was asked for by name but cannot run here; the message says why. */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }
}
