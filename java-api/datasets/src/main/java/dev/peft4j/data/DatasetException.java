package dev.peft4j.data;

/**
 * A dataset could not be fetched, verified or parsed. The message names the file (and the line, column or
 * field where one applies) and, for fetch failures, the manual way to obtain the data.
 */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
