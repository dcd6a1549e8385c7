package dev.peft4j.cpu;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A fixed pool of daemon threads, one per core, reused by every kernel. {@link #parallelFor} runs task 0 on the
 * caller and the others on the pool; a call made from inside a task runs sequentially (no nested fan-out), and so
 * does a call made while another thread's call holds the workers.
 *
 * <p>Workers and the waiting caller poll for {@link #POLL_NANOS} before they park, as OpenMP runtimes and
 * OpenBLAS do: a training step makes hundreds of parallel calls a few milliseconds apart, and waking a parked
 * thread costs 12–50 µs on a VM (more when its core has gone idle), time that one thread works alone. They poll
 * with {@link Thread#yield()}, so a core shared with more runnable threads (more threads than cores, other
 * processes) goes to those, not to the poll.
 *
 * <p>It also owns the kernels' scratch memory ({@link #acquire}): each worker thread keeps one set of each
 * {@link ScratchKind} for its life; calling threads (any number of them, virtual ones included) borrow sets from
 * a pool of at most {@link #threads()} per kind, waiting when all are lent. So a backend holds at most
 * {@code 2·threads − 1} sets of each kind, however many threads call it. Sets that hold native memory implement
 * {@link AutoCloseable}; {@link #close} frees them: a worker's when it exits, a caller's set when it is handed back.
 */
final class WorkerPool implements AutoCloseable {
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /** How long an idle worker waits for the next call, and a caller for its helpers, before parking: 100 µs. */
    static final long POLL_NANOS = Long.getLong("peft4j.cpu.spinMicros", 100) * 1000;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock fanOut = new ReentrantLock();
    private final Map<ScratchKind<?>, Lendable> lent = new ConcurrentHashMap<>();
    /** The call being run; workers run each call once (they compare against the last one they saw). */
    private volatile Call current;
    private volatile boolean closed;

    /** One parallelFor: tasks handed out from a shared counter; helpers count down when they are done. */
    private static final class Call {
        final IntConsumer body;
        final int tasks;
        final int helpers;
        final Thread caller = Thread.currentThread();
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger pending;
        volatile boolean callerParked;
        volatile Throwable failure;

        Call(IntConsumer body, int tasks, int helpers) {
            this.body = body;
            this.tasks = tasks;
            this.helpers = helpers;
            this.pending = new AtomicInteger(helpers);
        }

        /** Takes task indices until none are left; the first failure is kept for the caller. */
        void run() {
            INSIDE.set(Boolean.TRUE);
            try {
                for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                    body.accept(i);
                }
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
                next.set(tasks); // the others stop taking tasks
            } finally {
                INSIDE.set(Boolean.FALSE);
            }
        }

        void helperDone() {
            if (pending.decrementAndGet() == 0 && callerParked) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** A worker thread of this pool, with the scratch sets it owns (touched only by itself). */
    private static final class Worker extends Thread {
        final WorkerPool pool;
        final int index;
        final Map<ScratchKind<?>, Object> scratch = new IdentityHashMap<>();
        volatile boolean parked;

        Worker(WorkerPool pool, int index) {
            super("peft4j-cpu-worker");
            this.pool = pool;
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                Call seen = null;
                for (Call call = pool.awaitCall(this, seen); call != null; call = pool.awaitCall(this, seen)) {
                    seen = call;
                    if (index < call.helpers) {
                        call.run();
                        call.helperDone();
                    }
                }
            } finally {
                scratch.values().forEach(WorkerPool::free); // closed: no call of this pool will use them again
            }
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
        this.workers = new Worker[this.threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(this, i);
            workers[i].start();
        }
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
        if (closed) {
            freeLent(l); // after the offer: close() either saw the set in the queue or is seen here
        }
    }

    private static void freeLent(Lendable l) {
        for (Object set = l.free.poll(); set != null; set = l.free.poll()) {
            free(set);
        }
    }

    /** Frees a scratch set's native memory, if it holds any. */
    private static void free(Object set) {
        if (set instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("freeing kernel scratch " + set, e);
            }
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs body(0..tasks-1), possibly in parallel, and returns when all have finished. Up to {@link #threads()}
     * runners (the caller among them) take task indices from a shared counter, so uneven tasks balance. The
     * first exception or error of any task is rethrown here once all runners have stopped.
     */
    void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || workers.length == 0 || INSIDE.get() || closed || !fanOut.tryLock()) {
            runOnCaller(tasks, body);
            return;
        }
        if (closed) { // closed while this thread took the lock: the workers may have gone
            fanOut.unlock();
            runOnCaller(tasks, body);
            return;
        }
        Call call = new Call(body, tasks, Math.min(threads, tasks) - 1);
        try {
            current = call;
            for (int i = 0; i < call.helpers; i++) {
                if (workers[i].parked) {
                    LockSupport.unpark(workers[i]);
                }
            }
            call.run();
            awaitHelpers(call);
        } finally {
            fanOut.unlock();
        }
        Throwable failure = call.failure;
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    private static void runOnCaller(int tasks, IntConsumer body) {
        for (int i = 0; i < tasks; i++) {
            body.accept(i);
        }
    }

    /** Polls, then parks, until every helper of the call is done (uninterruptibly: they use shared buffers). */
    private static void awaitHelpers(Call call) {
        long pollUntil = System.nanoTime() + POLL_NANOS;
        while (call.pending.get() > 0 && System.nanoTime() < pollUntil) {
            Thread.yield();
        }
        if (call.pending.get() == 0) {
            return;
        }
        boolean interrupted = false;
        call.callerParked = true;
        while (call.pending.get() > 0) {
            LockSupport.park(call);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next call after {@code seen} for this worker: polls, then parks; null once the pool is closed. */
    private Call awaitCall(Worker w, Call seen) {
        long pollUntil = System.nanoTime() + POLL_NANOS;
        while (current == seen && !closed) {
            if (System.nanoTime() < pollUntil) {
                Thread.yield();
            } else {
                w.parked = true;
                if (current == seen && !closed) { // re-read after announcing: a caller that missed the flag published before it
                    LockSupport.park(this);
                }
                w.parked = false;
                Thread.interrupted(); // a stray interrupt must not turn park into a busy loop
            }
        }
        Call call = current;
        return call != seen ? call : null; // a call published before close is still helped
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

    /**
     * Stops the workers and frees the scratch sets. Waits for a call in flight on another thread, then for the
     * workers to exit; later calls run on the calling thread. Called from inside a task, it returns without
     * waiting, and the workers and sets are freed once they are done.
     */
    @Override
    public void close() {
        boolean inCall = INSIDE.get() || fanOut.isHeldByCurrentThread();
        if (!inCall) {
            fanOut.lock(); // no call is in flight while closed changes: a worker never exits with a call to help
        }
        try {
            closed = true;
        } finally {
            if (!inCall) {
                fanOut.unlock();
            }
        }
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
        if (!inCall) {
            boolean interrupted = false;
            for (Worker w : workers) {
                while (w.isAlive()) {
                    try {
                        w.join();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        lent.values().forEach(WorkerPool::freeLent);
    }
}
