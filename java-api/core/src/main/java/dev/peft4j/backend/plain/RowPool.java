package dev.peft4j.backend.plain;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The plain backend's worker threads: {@link #forRows} splits a range of rows into one contiguous chunk per thread,
 * runs the first on the caller and the rest on daemon threads, and returns when all are done. Each chunk writes only
 * its own rows, so concurrent calls from several threads are independent.
 */
final class RowPool implements AutoCloseable {
    /** Below this many multiply-adds per chunk, splitting costs more than it saves. */
    private static final long MIN_WORK_PER_CHUNK = 1L << 16;

    private final int threads;
    private final ExecutorService executor;

    RowPool(int threads) {
        this.threads = threads;
        this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "peft4j-plain-worker");
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return threads;
    }

    /** A body over rows [from, to). */
    @FunctionalInterface
    interface Rows {
        void run(int from, int to);
    }

    /** Runs body over [0, rows) in up to {@link #threads()} chunks; workPerRow sizes the chunks. */
    void forRows(int rows, long workPerRow, Rows body) {
        int chunks = (int) Math.max(1, Math.min(Math.min(threads, rows), rows * Math.max(1, workPerRow) / MIN_WORK_PER_CHUNK));
        if (chunks <= 1 || executor == null) {
            body.run(0, rows);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) rows * c / chunks), to = (int) ((long) rows * (c + 1) / chunks);
            futures.add(executor.submit(() -> body.run(from, to)));
        }
        RuntimeException failure = null;
        try {
            body.run(0, (int) ((long) rows / chunks));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a plain-backend task", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
