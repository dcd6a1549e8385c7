package dev.peft4j.cpu;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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

    /**
     * Runs body(0..tasks-1), possibly in parallel, and returns when all have finished. Up to {@link #threads()}
     * runners (the caller among them) take task indices from a shared counter, so uneven tasks balance.
     */
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
        AtomicInteger next = new AtomicInteger();
        Runnable runner = () -> {
            INSIDE.set(Boolean.TRUE);
            try {
                for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                    body.accept(i);
                }
            } finally {
                INSIDE.set(Boolean.FALSE);
            }
        };
        int helpers = Math.min(threads, tasks) - 1;
        Future<?>[] futures = new Future<?>[helpers];
        for (int i = 0; i < helpers; i++) {
            futures[i] = executor.submit(runner);
        }
        RuntimeException failure = null;
        try {
            runner.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a kernel task", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Error err) {
                    throw err;
                }
                if (failure == null) {
                    failure = cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
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
