package dev.peft4j.cpu;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed pool of daemon threads, one per core, reused by every kernel. {@link #parallelFor} runs task 0 on the
 * caller and the others on the pool; a call made from inside a task runs sequentially (no nested fan-out).
 *
 * <p>It also owns the kernels' scratch memory ({@link #acquire}): each worker thread keeps one set of each
 * {@link ScratchKind} for its life; calling threads (any number of them, virtual ones included) borrow sets from
 * a pool of at most {@link #threads()} per kind, waiting when all are lent. So a backend holds at most
 * {@code 2·threads − 1} sets of each kind, however many threads call it.
 */
final class WorkerPool implements AutoCloseable {
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final int threads;
    private final ExecutorService executor;
    private final Map<ScratchKind<?>, Lendable> lent = new ConcurrentHashMap<>();

    /** A worker thread of this pool, with the scratch sets it owns (touched only by itself). */
    private static final class Worker extends Thread {
        final WorkerPool pool;
        final Map<ScratchKind<?>, Object> scratch = new IdentityHashMap<>();

        Worker(WorkerPool pool, Runnable r) {
            super(r, "peft4j-cpu-worker");
            this.pool = pool;
            setDaemon(true);
        }
    }

    /** The sets of one kind lent to calling threads: at most {@link #threads} exist. */
    private static final class Lendable {
        final Semaphore permits;
        final ConcurrentLinkedQueue<Object> free = new ConcurrentLinkedQueue<>();

        Lendable(int sets) {
            this.permits = new Semaphore(sets);
        }
    }

    WorkerPool(int threads) {
        this.threads = Math.max(1, threads);
        this.executor = this.threads == 1 ? null
                : Executors.newFixedThreadPool(this.threads - 1, r -> new Worker(this, r));
    }

    /**
     * A scratch set of {@code kind} for the current thread, to be handed back with {@link #release} (in a finally
     * block). A worker of this pool gets the set it owns; any other thread borrows one of at most {@link
     * #threads()} sets lent to callers, waiting (uninterruptibly) while all are out. A thread must not hold two
     * sets of one kind at once.
     */
    <T> T acquire(ScratchKind<T> kind) {
        if (Thread.currentThread() instanceof Worker w && w.pool == this) {
            @SuppressWarnings("unchecked")
            T own = (T) w.scratch.computeIfAbsent(kind, ScratchKind::create);
            return own;
        }
        Lendable l = lent.computeIfAbsent(kind, k -> new Lendable(threads));
        l.permits.acquireUninterruptibly();
        @SuppressWarnings("unchecked")
        T set = (T) l.free.poll();
        return set != null ? set : kind.create();
    }

    /** Hands back a set from {@link #acquire} (a worker keeps its own). */
    <T> void release(ScratchKind<T> kind, T set) {
        if (Thread.currentThread() instanceof Worker w && w.pool == this) {
            return;
        }
        Lendable l = lent.get(kind);
        l.free.offer(set);
        l.permits.release();
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
