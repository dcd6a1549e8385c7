package dev.peft4j.text;

import java.time.Duration;

/**
 * How a {@link TextEncoder} or {@link TextClassifier} gathers concurrent requests for its one worker: at most
 * {@code maxBatch} texts (or text parts) per forward pass, a batch waits at most {@code maxWait} for more once it has
 * one (and only while another request is being tokenized: a lone request runs at once), and at most
 * {@code queueCapacity} wait or run at once (a request beyond that is refused).
 */
public record BatchingOptions(int maxBatch, Duration maxWait, int queueCapacity) {
    public BatchingOptions {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be ≥ 1, got " + maxBatch);
        }
        if (maxWait == null || maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must be ≥ 0, got " + maxWait);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be ≥ 1, got " + queueCapacity);
        }
    }

    /** 32 per batch, 2 ms of waiting, 4,096 in the queue. */
    public static BatchingOptions defaults() {
        return new BatchingOptions(32, Duration.ofMillis(2), 4096);
    }

    /** These options with another batch size. */
    public BatchingOptions withMaxBatch(int maxBatch) {
        return new BatchingOptions(maxBatch, maxWait, queueCapacity);
    }

    /** These options with another wait. */
    public BatchingOptions withMaxWait(Duration maxWait) {
        return new BatchingOptions(maxBatch, maxWait, queueCapacity);
    }

    /** These options with another queue capacity. */
    public BatchingOptions withQueueCapacity(int queueCapacity) {
        return new BatchingOptions(maxBatch, maxWait, queueCapacity);
    }
}
