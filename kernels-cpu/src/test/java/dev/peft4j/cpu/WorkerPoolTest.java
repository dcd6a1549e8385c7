package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The worker pool's hand-off (spin, then park) under the ways kernels call it: every task exactly once, failures
 * passed to the caller, nested and concurrent calls, interrupts, idle pauses longer than the spin, close and the
 * scratch sets it frees. A lost
 * wake-up would hang, so every test has a time limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerPoolTest {

    @Test
    void everyTaskRunsExactlyOnceOverManyCalls() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int call = 0; call < 20_000; call++) {
                int tasks = 1 + call % 7; // fewer, as many and more tasks than threads
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                pool.parallelFor(tasks, runs::incrementAndGet);
                for (int t = 0; t < tasks; t++) {
                    assertEquals(1, runs.get(t), "call " + call + ": task " + t + " of " + tasks);
                }
            }
        }
    }

    @Test
    void helpersTakeTasksAfterTheyHaveParked() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int call = 0; call < 20; call++) {
                Thread.sleep(2); // far longer than the spin: the worker parks between calls
                Set<Thread> runners = ConcurrentHashMap.newKeySet();
                CountDownLatch both = new CountDownLatch(2);
                pool.parallelFor(2, t -> {
                    runners.add(Thread.currentThread());
                    both.countDown();
                    try {
                        // each task waits for the other: passes only when the worker runs one beside the caller
                        assertTrue(both.await(20, TimeUnit.SECONDS), "the parked worker never took its task");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertEquals(2, runners.size(), "call " + call + ": tasks ran on " + runners);
            }
        }
    }

    @Test
    void aTaskFailureReachesTheCallerAndThePoolGoesOn() {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int failing = 0; failing < 4; failing++) {
                int bad = failing;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> pool.parallelFor(4, t -> {
                            if (t == bad) {
                                throw new IllegalArgumentException("task " + t);
                            }
                        }));
                assertEquals("task " + bad, e.getMessage());
            }
            AssertionError err = new AssertionError("an error, not an exception");
            assertSame(err, assertThrows(AssertionError.class, () -> pool.parallelFor(2, t -> {
                if (t == 1) {
                    throw err;
                }
            })));
            AtomicIntegerArray runs = new AtomicIntegerArray(8);
            pool.parallelFor(8, runs::incrementAndGet);
            for (int t = 0; t < 8; t++) {
                assertEquals(1, runs.get(t), "task " + t + " after the failures");
            }
        }
    }

    @Test
    void aNestedCallRunsOnTheTaskThatMadeIt() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(4 * 5);
            pool.parallelFor(4, outer -> {
                Thread me = Thread.currentThread();
                pool.parallelFor(5, inner -> {
                    assertSame(me, Thread.currentThread(), "nested task " + inner + " of task " + outer);
                    runs.incrementAndGet(outer * 5 + inner);
                });
            });
            for (int i = 0; i < 20; i++) {
                assertEquals(1, runs.get(i), "nested task " + i);
            }
        }
    }

    @Test
    void concurrentCallersAllFinishWithEveryTask() throws Exception {
        int callers = 5, calls = 2_000;
        try (WorkerPool pool = new WorkerPool(2)) {
            ExecutorService threads = Executors.newFixedThreadPool(callers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < callers; c++) {
                    done.add(threads.submit(() -> {
                        for (int call = 0; call < calls; call++) {
                            AtomicIntegerArray runs = new AtomicIntegerArray(3);
                            pool.parallelFor(3, runs::incrementAndGet);
                            for (int t = 0; t < 3; t++) {
                                assertEquals(1, runs.get(t), "task " + t + " of call " + call);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @Test
    void anInterruptedCallerWaitsForItsHelpersAndKeepsTheInterrupt() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(2);
            Thread.currentThread().interrupt();
            try {
                pool.parallelFor(2, t -> {
                    if (t == 1) {
                        long end = System.nanoTime() + 5_000_000; // 5 ms: past the caller's spin
                        while (System.nanoTime() < end) {
                            Thread.onSpinWait();
                        }
                    }
                    runs.incrementAndGet(t);
                });
                assertEquals(1, runs.get(0));
                assertEquals(1, runs.get(1), "parallelFor returned before its helper's task finished");
            } finally {
                assertTrue(Thread.interrupted(), "the caller's interrupt was swallowed");
            }
        }
    }

    @Test
    void afterCloseCallsStillRunEveryTaskOnTheCaller() {
        WorkerPool pool = new WorkerPool(3);
        pool.parallelFor(3, t -> { });
        pool.close();
        Set<Thread> runners = ConcurrentHashMap.newKeySet();
        pool.parallelFor(6, t -> runners.add(Thread.currentThread()));
        assertEquals(Set.of(Thread.currentThread()), runners);
    }

    /** A scratch set that records whether the pool freed it. */
    private static final class Freeable implements AutoCloseable {
        final AtomicBoolean freed = new AtomicBoolean();

        @Override
        public void close() {
            assertFalse(freed.getAndSet(true), "a scratch set was freed twice");
        }
    }

    @Test
    void closeFreesTheWorkersSetsAndTheLentOnesAsTheyComeBack() throws InterruptedException {
        ScratchKind<Freeable> kind = new ScratchKind<>("test sets", Freeable::new);
        WorkerPool pool = new WorkerPool(3);
        Freeable held = pool.acquire(kind); // lent to this thread across close, so the call's caller set is another
        Set<Freeable> used = ConcurrentHashMap.newKeySet();
        CountDownLatch allRunning = new CountDownLatch(3);
        pool.parallelFor(3, t -> { // three tasks that wait for each other: the caller and both workers take one
            Freeable set = pool.acquire(kind);
            try {
                used.add(set);
                allRunning.countDown();
                allRunning.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                pool.release(kind, set);
            }
        });
        assertEquals(3, used.size(), "each runner has its own set");
        assertFalse(used.contains(held));
        pool.close();
        for (Freeable set : used) {
            assertTrue(set.freed.get(), "a worker's or a returned set was not freed by close");
        }
        assertFalse(held.freed.get(), "a set in use was freed");
        pool.release(kind, held);
        assertTrue(held.freed.get(), "a set handed back after close was not freed");
        Freeable late = pool.acquire(kind);
        pool.release(kind, late);
        assertTrue(late.freed.get(), "a set made after close was not freed when handed back");
    }

    @Test
    void closeWaitsForACallInFlightOnAnotherThread() throws Exception {
        WorkerPool pool = new WorkerPool(2);
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicIntegerArray ran = new AtomicIntegerArray(2);
        Thread caller = new Thread(() -> pool.parallelFor(2, t -> {
            started.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            ran.incrementAndGet(t);
        }));
        caller.start();
        started.await();
        Thread closer = new Thread(pool::close);
        closer.start();
        closer.join(300);
        assertTrue(closer.isAlive(), "close returned while a call was still running on the pool");
        finish.countDown();
        closer.join();
        caller.join();
        assertEquals(1, ran.get(0));
        assertEquals(1, ran.get(1));
    }
}
