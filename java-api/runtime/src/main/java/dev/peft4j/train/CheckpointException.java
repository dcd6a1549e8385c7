package dev.peft4j.train;

import java.io.IOException;

/** A training checkpoint that cannot be resumed from: corrupt, truncated, or written by a different run. */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
