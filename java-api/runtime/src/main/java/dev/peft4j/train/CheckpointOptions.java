package dev.peft4j.train;

import java.nio.file.Path;

/**
 * Checkpointing of a {@link ClassifierTrainer} run: every {@code every} optimizer steps the trainable values, AdamW
 * moments, step, position (epoch, micro-batch) and best-so-far state go atomically to {@code path}. With
 * {@code resume}, a run whose {@code path} exists continues from it and produces the same subsequent loss curve as
 * an uninterrupted run (bit for bit on the reference backend).
 */
public record CheckpointOptions(Path path, int every, boolean resume) {
    public CheckpointOptions {
        if (path == null) {
            throw new IllegalArgumentException("checkpoint path is null");
        }
        if (every < 0) {
            throw new IllegalArgumentException("checkpoint interval must be ≥ 0 (0 = never write), got " + every);
        }
    }
}
