package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.peft4j.tensor.Tensor;
import dev.peft4j.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One cpu backend called from several threads at once: its worker pool takes the tasks of concurrent calls side by
 * side, and each call must give exactly (bit for bit) what it gives when the calls run one after another.
 */
class ConcurrentCallersTest {
    private static final int CALLERS = 6;
    private static final int ROUNDS = 20;

    @Test
    void concurrentLinearAndLoraForwardsMatchSequentialCalls() throws Exception {
        RandomTensors rnd = new RandomTensors(77);
        int n = 96, din = 160, dout = 136, r = 8;
        try (CpuBackend be = new CpuBackend(4, false)) {
            Tensor[] xs = new Tensor[CALLERS];
            for (int c = 0; c < CALLERS; c++) {
                xs[c] = rnd.uniform(-1f, 1f, n, din);
            }
            Tensor w = rnd.uniform(-0.2f, 0.2f, dout, din), bias = rnd.uniform(-0.1f, 0.1f, dout);
            Tensor a = rnd.uniform(-0.2f, 0.2f, r, din), b = rnd.uniform(-0.2f, 0.2f, dout, r);
            float[][] linear = new float[CALLERS][], lora = new float[CALLERS][], loraU = new float[CALLERS][];
            for (int c = 0; c < CALLERS; c++) {
                Tensor y = Tensor.zeros(n, dout), u = Tensor.zeros(n, r);
                be.linearForward(xs[c], w, bias, y);
                linear[c] = y.toArray();
                be.loraForward(xs[c], w, bias, a, b, 0.5f, null, y, u);
                lora[c] = y.toArray();
                loraU[c] = u.toArray();
            }
            ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int id = c;
                futures.add(callers.submit(() -> {
                    Tensor y = Tensor.zeros(n, dout), u = Tensor.zeros(n, r);
                    start.await();
                    for (int i = 0; i < ROUNDS; i++) {
                        be.linearForward(xs[id], w, bias, y);
                        assertArrayEquals(linear[id], y.toArray(), "linearForward of caller " + id + ", round " + i);
                        be.loraForward(xs[id], w, bias, a, b, 0.5f, null, y, u);
                        assertArrayEquals(lora[id], y.toArray(), "loraForward y of caller " + id + ", round " + i);
                        assertArrayEquals(loraU[id], u.toArray(), "loraForward u of caller " + id + ", round " + i);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
            callers.shutdown();
        }
    }
}
