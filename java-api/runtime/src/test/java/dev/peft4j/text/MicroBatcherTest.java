package dev.peft4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MicroBatcherTest {
    @Test
    void gathersItemsFromManyThreadsIntoBatchesAndAnswersEachInOrder() throws Exception {
        List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("square", 1000, 8, Duration.ofMillis(20), items -> {
            batchSizes.add(items.size());
            return items.stream().map(i -> i * i).toList();
        })) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 16; t++) {
                int base = t * 100;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        List<Integer> in = List.of(base, base + 1, base + 2);
                        List<CompletableFuture<Integer>> out = b.submitAll(in);
                        for (int i = 0; i < in.size(); i++) {
                            assertEquals(in.get(i) * in.get(i), out.get(i).get());
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(List.of(), failures);
            assertEquals(48, batchSizes.stream().mapToInt(Integer::intValue).sum());
            assertTrue(batchSizes.stream().allMatch(s -> s <= 8), "no batch over maxBatch: " + batchSizes);
            assertTrue(batchSizes.size() < 48, "items were batched together: " + batchSizes);
        }
    }

    @Test
    void aLoneRequestRunsWithoutWaitingForCompany() throws Exception {
        // maxWait of a minute: the item must come back long before it unless the batch skips the wait
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("alone", 10, 8, Duration.ofMinutes(1),
                items -> items.stream().map(i -> -i).toList())) {
            assertEquals(-3, b.submitAll(List.of(3)).get(0).get(20, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest(name = "maxWait {0} ms")
    @ValueSource(longs = {60_000, 0})
    void aSubmissionIsNeverSplitAcrossBatches(long maxWaitMillis) throws Exception {
        // maxWait 0: the batch's wait is over before the submission's other items are queued (as after a GC pause)
        List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("whole", 10, 8, Duration.ofMillis(maxWaitMillis), items -> {
            batchSizes.add(items.size());
            return items;
        })) {
            for (int round = 0; round < 200; round++) { // the worker wakes on the first item while the rest are queued
                List<CompletableFuture<Integer>> out = b.submitAll(List.of(1, 2, 3, 4, 5));
                assertEquals(5, out.get(4).get(20, TimeUnit.SECONDS));
            }
        }
        assertEquals(Collections.nCopies(200, 5), batchSizes);
    }

    @Test
    void aBatchWaitsForAnAnnouncedRequestAndTakesItsItems() throws Exception {
        List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("company", 10, 8, Duration.ofMinutes(1), items -> {
            batches.add(List.copyOf(items));
            return items;
        })) {
            MicroBatcher<Integer, Integer>.Arrival coming = b.announce();
            CompletableFuture<Integer> first = b.submitAll(List.of(1)).get(0);
            Thread.sleep(200); // the worker has taken item 1 and now waits for the announced request
            CompletableFuture<Integer> second = b.submitAll(List.of(2), coming).get(0);
            assertEquals(1, first.get(20, TimeUnit.SECONDS));
            assertEquals(2, second.get(20, TimeUnit.SECONDS));
            assertEquals(List.of(List.of(1, 2)), batches, "one batch with the announced request's item");
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAndTakesWorkAgainOnceItDrains() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("blocked", 4, 2, Duration.ZERO, items -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return items;
        })) {
            List<CompletableFuture<Integer>> first = b.submitAll(List.of(1, 2));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            List<CompletableFuture<Integer>> second = b.submitAll(List.of(3, 4));
            RejectedExecutionException full = assertThrows(RejectedExecutionException.class, () -> b.submitAll(List.of(5)));
            assertTrue(full.getMessage().contains("queue is full (4 parts"), full.getMessage());
            RejectedExecutionException tooBig = assertThrows(RejectedExecutionException.class,
                    () -> b.submitAll(List.of(1, 2, 3, 4, 5)));
            assertTrue(tooBig.getMessage().contains("exceeds the queue's capacity of 4"), tooBig.getMessage());
            release.countDown();
            assertEquals(1, first.get(0).get());
            assertEquals(4, second.get(1).get());
            assertEquals(5, b.submitAll(List.of(5)).get(0).get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aFailingBatchFailsItsItemsOnlyAndClosingFailsWhatWaits() throws Exception {
        MicroBatcher<Integer, Integer> b = new MicroBatcher<>("picky", 16, 1, Duration.ZERO, items -> {
            if (items.get(0) < 0) {
                throw new IllegalArgumentException("negative: " + items.get(0));
            }
            return items;
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> b.submitAll(List.of(-1)).get(0).get());
        assertTrue(e.getCause().getMessage().contains("negative: -1"));
        assertEquals(7, b.submitAll(List.of(7)).get(0).get());
        b.close();
        assertThrows(RejectedExecutionException.class, () -> b.submitAll(List.of(1)));
    }
}
