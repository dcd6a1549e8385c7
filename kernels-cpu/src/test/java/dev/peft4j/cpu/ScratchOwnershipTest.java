package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.reference.ReferenceBackend;
import dev.peft4j.tensor.Tensor;
import dev.peft4j.testing.Errors;
import dev.peft4j.testing.RandomTensors;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Scratch memory belongs to the backend's workers, not to calling threads: 1,000 virtual threads each running a
 * fused LoRA forward (and an attention forward) on one shared CpuBackend allocate, in all, far less than one GEMM
 * packing buffer per calling thread would cost. Measured as the JVM's total allocated bytes across the run
 * (inputs and outputs are made before it), so the test needs no hook into the kernels; results are checked
 * against the reference too, so a scratch set shared by mistake between two calls fails it.
 */
class ScratchOwnershipTest {
    private static final int CALLERS = 1000;

    private static void runCallers(ExecutorService callers, CpuBackend cpu,
                                   Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, List<Tensor> ys, List<Tensor> us)
            throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            int c = i;
            done.add(callers.submit(() -> cpu.loraForward(x, w, bias, a, b, 0.5f, null, ys.get(c), us.get(c))));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    @Test
    void thousandVirtualThreadsOnOneBackendAllocateOnlyTheWorkersScratch() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot count allocated bytes");
        RandomTensors rnd = new RandomTensors(1000L);
        int n = 37, in = 53, out = 41, r = 5;
        Tensor x = rnd.uniform(n, in), w = rnd.uniform(out, in), bias = rnd.uniform(out);
        Tensor a = rnd.uniform(r, in), b = rnd.uniform(out, r);
        Backend ref = new ReferenceBackend();
        Tensor yRef = Tensor.zeros(n, out), uRef = Tensor.zeros(n, r);
        ref.loraForward(x, w, bias, a, b, 0.5f, null, yRef, uRef);
        List<Tensor> ys = new ArrayList<>(), us = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            ys.add(Tensor.zeros(n, out));
            us.add(Tensor.zeros(n, r));
        }
        try (CpuBackend cpu = new CpuBackend(4, false);
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            // first rounds compile the kernels (Vector API code allocates until C2 has compiled it); the last, on
            // 1,000 new virtual threads, is measured
            long setsBefore = Sgemm.BUFFERS.created();
            for (int round = 0; round < 3; round++) {
                runCallers(callers, cpu, x, w, bias, a, b, ys, us);
            }
            long before = mx.getTotalThreadAllocatedBytes();
            runCallers(callers, cpu, x, w, bias, a, b, ys, us);
            long allocated = mx.getTotalThreadAllocatedBytes() - before;
            System.out.println("ScratchOwnershipTest: 1,000 fused LoRA forwards on new virtual threads allocated "
                    + allocated + " bytes; one GEMM scratch set is " + Sgemm.scratchBytes() + " bytes");
            long sets = Sgemm.BUFFERS.created() - setsBefore;
            assertTrue(sets <= 2 * cpu.threads() - 1, sets + " GEMM scratch sets for a pool of " + cpu.threads()
                    + " threads and 4,000 calls; at most " + (2 * cpu.threads() - 1) + " may exist");
            long perCallerScratch = Sgemm.scratchBytes();
            // per-thread buffers would cost CALLERS × perCallerScratch; allow a quarter of that for everything
            long bound = CALLERS * perCallerScratch / 4;
            assertTrue(allocated < bound, "1,000 virtual threads allocated " + allocated + " bytes; one GEMM scratch"
                    + " set per calling thread would be " + CALLERS * perCallerScratch + "; bound " + bound);
        }
        for (int i = 0; i < CALLERS; i++) {
            Errors.assertClose("loraForward y of caller " + i, ys.get(i), yRef, 1e-5);
        }
    }
}
