package dev.peft4j.text;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Gathers items submitted by many threads into batches for one worker thread, which alone runs the model. A batch
 * starts with the first waiting item and takes every item already waiting, up to {@code maxBatch}; it waits for more
 * (until {@code maxWait} has passed since it started) only while some request has {@linkplain #announce announced}
 * itself and not yet submitted, so a lone request runs at once instead of waiting for company that is not coming.
 * A submission's items are queued as one: a batch holds all of it or none of it, unless {@code maxBatch} cuts it.
 * At most {@code capacity} items wait or run at once: a submission that does not fit is refused at
 * once with a {@link RejectedExecutionException}, so a burst never grows memory without bound.
 *
 * @param <I> an item of work
 * @param <O> its result
 */
final class MicroBatcher<I, O> implements AutoCloseable {
    private record Pending<I, O>(I item, CompletableFuture<O> result) {}

    /** How often a batch waiting for an announced request looks again whether it still is announced. */
    private static final long WAIT_SLICE_NANOS = 100_000;

    private final String name;
    private final int capacity;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final Function<List<I>, List<O>> process;
    private final Semaphore slots;
    private final LinkedBlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final AtomicInteger preparing = new AtomicInteger();
    private final Object submitting = new Object(); // held while a submission's items are queued
    private volatile boolean closed;

    /**
     * A request being prepared (its texts tokenized) that will submit soon: while one is open, a starting batch
     * waits for it (up to {@code maxWait}). Ends when its items are submitted, or when closed.
     */
    final class Arrival implements AutoCloseable {
        private boolean open = true;

        private Arrival() {
            preparing.incrementAndGet();
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                preparing.decrementAndGet();
            }
        }
    }

    /**
     * @param process runs one batch on the worker thread and returns one result per item, in order
     */
    MicroBatcher(String name, int capacity, int maxBatch, Duration maxWait, Function<List<I>, List<O>> process) {
        if (capacity < 1 || maxBatch < 1 || maxWait == null || maxWait.isNegative()) {
            throw new IllegalArgumentException("need capacity ≥ 1, maxBatch ≥ 1 and maxWait ≥ 0; got " + capacity + ", "
                    + maxBatch + ", " + maxWait);
        }
        this.name = name;
        this.capacity = capacity;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.process = Objects.requireNonNull(process, "process");
        this.slots = new Semaphore(capacity);
        this.worker = Thread.ofPlatform().daemon().name(name + "-worker").start(this::run);
    }

    /** Announces a request that will submit soon (see {@link Arrival}); close it if it ends up not submitting. */
    Arrival announce() {
        return new Arrival();
    }

    /** Queues every item, all or none; the futures complete in the worker. */
    List<CompletableFuture<O>> submitAll(List<I> items) {
        return submitAll(items, null);
    }

    /**
     * As {@link #submitAll(List)}, ending {@code arrival} (nullable; without one the submission announces itself
     * while it queues) once every item is queued, so a batch never starts with only part of a submission.
     */
    List<CompletableFuture<O>> submitAll(List<I> items, Arrival arrival) {
        Arrival own = arrival != null ? arrival : announce();
        try {
            return enqueue(items);
        } finally {
            own.close();
        }
    }

    private List<CompletableFuture<O>> enqueue(List<I> items) {
        if (closed) {
            throw new RejectedExecutionException(name + " is closed");
        }
        if (items.size() > capacity) {
            throw new RejectedExecutionException(name + ": a request of " + items.size() + " parts exceeds the queue's"
                    + " capacity of " + capacity + "; split the request or build with a larger queueCapacity");
        }
        if (!slots.tryAcquire(items.size())) {
            throw new RejectedExecutionException(name + ": the queue is full (" + capacity + " parts waiting or running);"
                    + " retry later, or build with a larger queueCapacity");
        }
        List<CompletableFuture<O>> futures = new ArrayList<>(items.size());
        synchronized (submitting) { // a batch that stops waiting takes all of this submission or none of it
            for (I item : items) {
                CompletableFuture<O> f = new CompletableFuture<>();
                futures.add(f);
                queue.add(new Pending<>(item, f));
            }
        }
        if (closed) {
            failAll(new RejectedExecutionException(name + " is closed"));
        }
        return futures;
    }

    /**
     * Queues every item (all or none, as {@link #submitAll}) and waits for their results, in order. A failure of the
     * batch is rethrown as it was thrown (a {@link RuntimeException}), or wrapped in a {@link CompletionException}.
     */
    List<O> process(List<I> items) {
        return process(items, null);
    }

    /** As {@link #process(List)}, ending {@code arrival} (nullable) once its items are queued. */
    List<O> process(List<I> items, Arrival arrival) {
        List<CompletableFuture<O>> futures = submitAll(items, arrival);
        List<O> out = new ArrayList<>(futures.size());
        for (CompletableFuture<O> f : futures) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(name + ": interrupted while waiting for results", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new CompletionException(e.getCause());
            }
        }
        return out;
    }

    private void run() {
        List<Pending<I, O>> batch = new ArrayList<>(maxBatch);
        while (!closed) {
            try {
                Pending<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    Pending<I, O> next = queue.poll();
                    // an announced request is about to submit: wait for it in short slices, so that its end is seen
                    while (next == null && preparing.get() > 0) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        next = queue.poll(Math.min(left, WAIT_SLICE_NANOS), TimeUnit.NANOSECONDS);
                    }
                    if (next == null) {
                        // its wait is over (or nobody is announced): a submission still being queued is finished
                        // first, so that the batch never ends inside it (a GC pause can outlast maxWait)
                        synchronized (submitting) {
                            next = queue.poll();
                        }
                        if (next == null) {
                            break;
                        }
                    }
                    batch.add(next);
                }
                runBatch(batch);
            } catch (InterruptedException e) {
                break;
            } finally {
                slots.release(batch.size());
                batch.clear();
            }
        }
        failAll(new RejectedExecutionException(name + " is closed"));
    }

    private void runBatch(List<Pending<I, O>> batch) {
        List<I> items = new ArrayList<>(batch.size());
        for (Pending<I, O> p : batch) {
            items.add(p.item());
        }
        try {
            List<O> results = process.apply(items);
            if (results.size() != batch.size()) {
                throw new IllegalStateException(name + ": a batch of " + batch.size() + " gave " + results.size()
                        + " results");
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (RuntimeException | Error e) {
            for (Pending<I, O> p : batch) {
                p.result().completeExceptionally(e);
            }
        }
    }

    private void failAll(RuntimeException e) {
        Pending<I, O> p;
        while ((p = queue.poll()) != null) {
            p.result().completeExceptionally(e);
            slots.release();
        }
    }

    /** Stops taking work, finishes the batch in progress, fails what still waits, and joins the worker. */
    @Override
    public void close() {
        closed = true;
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new RejectedExecutionException(name + " is closed"));
    }
}
