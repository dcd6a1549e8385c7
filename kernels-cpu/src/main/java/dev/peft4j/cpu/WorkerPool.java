package dev.peft4j.cpu;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * A fixed pool of daemon threads, one per core, reused by every kernel. {@link #parallelFor} runs task 0 on the
 * caller and the others on the pool; a call made from inside a task runs sequentially (no nested fan-out).
 */
final class WorkerPool implements AutoCloseable {
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final int threads;
    private final ExecutorService executor;

    WorkerPool(int threads) {
        this.threads = Math.max(1, threads);
        this.executor = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, "peft4j-cpu-worker");
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return threads;
    }

    /** Runs body(0..tasks-1), possibly in parallel, and returns when all have finished. */
    void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || executor == null || INSIDE.get()) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        Future<?>[] futures = new Future<?>[tasks - 1];
        for (int i = 1; i < tasks; i++) {
            int task = i;
            futures[i - 1] = executor.submit(() -> {
                INSIDE.set(Boolean.TRUE);
                try {
                    body.accept(task);
                } finally {
                    INSIDE.set(Boolean.FALSE);
                }
            });
        }
        INSIDE.set(Boolean.TRUE);
        try {
            body.accept(0);
        } finally {
            INSIDE.set(Boolean.FALSE);
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a kernel task", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    /** Splits [0, n) into at most {@link #threads()} contiguous chunks of at least minChunk and runs body(from, to). */
    void parallelRange(int n, int minChunk, RangeBody body) {
        int chunks = Math.max(1, Math.min(threads, n / Math.max(1, minChunk)));
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        parallelFor(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
