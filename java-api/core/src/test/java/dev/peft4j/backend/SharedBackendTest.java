package dev.peft4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.tensor.Tensor;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reference counting behind Backends.shared(), on backends that record how often they were closed. */
class SharedBackendTest {
    /** Makes fake backends named "fake-N" that count their closes and fail when used after one. */
    private static final class Fakes {
        final AtomicInteger created = new AtomicInteger();
        final Map<String, AtomicInteger> closes = new ConcurrentHashMap<>();

        Backend create() {
            String name = "fake-" + created.incrementAndGet();
            AtomicInteger closed = new AtomicInteger();
            closes.put(name, closed);
            return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            closed.incrementAndGet();
                            return null;
                        }
                        if (closed.get() > 0) {
                            throw new AssertionError(name + "." + method.getName() + " called after close");
                        }
                        return method.getName().equals("name") ? name : null;
                    });
        }

        int totalCloses() {
            return closes.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    @Test
    void handlesShareOneBackendThatClosesWithTheLastHandle() {
        Fakes fakes = new Fakes();
        SharedBackend shared = new SharedBackend(fakes::create);
        Backend first = shared.acquire();
        Backend second = shared.acquire();
        assertEquals("fake-1", first.name());
        assertEquals("fake-1", second.name());
        assertEquals(2, shared.openHandles());
        first.close();
        first.close(); // a second close of one handle releases nothing more
        assertEquals(1, shared.openHandles());
        assertEquals(0, fakes.totalCloses(), "still in use by the second handle");
        assertEquals("fake-1", second.name());
        second.close();
        assertEquals(1, fakes.closes.get("fake-1").get());
        assertEquals(0, shared.openHandles());
        try (Backend third = shared.acquire()) {
            assertEquals("fake-2", third.name(), "a new backend after the last handle closed");
        }
        assertEquals(1, fakes.closes.get("fake-2").get());
    }

    @Test
    void aClosedHandleFailsClearly() {
        SharedBackend shared = new SharedBackend(new Fakes()::create);
        Backend h = shared.acquire();
        Backend other = shared.acquire();
        h.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.fill(null, 0f));
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains("fill")
                && e.getMessage().contains("Backends.shared() again"), e.getMessage());
        assertTrue(h.toString().contains("closed"), h.toString());
        assertNotEquals(h, other);
        other.close();
    }

    @Test
    void manyThreadsAcquiringAndReleasingNeverDoubleCloseNorUseAClosedBackend() throws Exception {
        Fakes fakes = new Fakes();
        SharedBackend shared = new SharedBackend(fakes::create);
        int threads = 16, rounds = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    try (Backend b = shared.acquire()) {
                        assertTrue(b.name().startsWith("fake-")); // fails if the backend was closed under us
                        b.fill(null, 1f);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(0, shared.openHandles());
        assertTrue(fakes.created.get() >= 1);
        for (Map.Entry<String, AtomicInteger> e : fakes.closes.entrySet()) {
            assertEquals(1, e.getValue().get(), e.getKey() + " closed once");
        }
    }

    @Test
    void whileOneHandleIsHeldEveryThreadGetsTheSameBackend() throws Exception {
        Fakes fakes = new Fakes();
        SharedBackend shared = new SharedBackend(fakes::create);
        try (Backend held = shared.acquire()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<String>> names = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                names.add(pool.submit(() -> {
                    try (Backend b = shared.acquire()) {
                        return b.name();
                    }
                }));
            }
            for (Future<String> f : names) {
                assertEquals(held.name(), f.get(60, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(1, fakes.created.get());
            assertEquals(0, fakes.totalCloses());
        }
        assertEquals(1, fakes.totalCloses());
    }

    @Test
    void backendsSharedHandsOutTheValidatedDefaultBackend() {
        try (Backend a = Backends.shared(); Backend b = Backends.shared()) {
            assertEquals(Backends.report().chosen(), a.name());
            try (Tensor t = a.allocate(2, 3)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.fill(null, 0f));
                assertTrue(e.getMessage().contains("fill"), "validation runs behind the shared handle: " + e.getMessage());
                b.fill(t, 2f);
                assertEquals(2f, t.toArray()[5]);
            }
        }
    }
}
