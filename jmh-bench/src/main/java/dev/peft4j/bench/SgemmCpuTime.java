package dev.peft4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link SgemmBenchmark}'s product on one thread, timed by the calling thread's CPU time rather than the wall clock,
 * for a machine shared with other work (time slices lost to other processes are not counted; their cache traffic
 * still is). Both implementations run in the calling thread at 1 thread. Usage:
 * {@code java --add-modules jdk.incubator.vector -Dpeft4j.cpu.warmUp=false -cp benchmarks.jar
 * dev.peft4j.bench.SgemmCpuTime peft4j|openblas REPS MxNxK...}: per shape, 2 s of warm-up, then REPS calls; prints
 * the median and the minimum CPU time per call, the median wall time, and GFLOP/s at the median CPU time.
 */
public final class SgemmCpuTime {
    private SgemmCpuTime() {}

    public static void main(String[] args) {
        String impl = args[0];
        int reps = Integer.parseInt(args[1]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 2; i < args.length; i++) {
            SgemmBenchmark b = new SgemmBenchmark();
            b.mnk = args[i];
            b.threads = 1;
            b.impl = impl;
            b.setUp();
            long end = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < end) {
                b.sgemm();
            }
            double[] cpu = new double[reps];
            double[] wall = new double[reps];
            for (int r = 0; r < reps; r++) {
                long c0 = threads.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                b.sgemm();
                cpu[r] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
                wall[r] = (System.nanoTime() - w0) / 1e6;
            }
            b.tearDown();
            Arrays.sort(cpu);
            Arrays.sort(wall);
            String[] p = args[i].split("x");
            double mflop = 2.0 * Long.parseLong(p[0]) * Long.parseLong(p[1]) * Long.parseLong(p[2]) / 1e6;
            System.out.printf("%s %s cpu-median %.2f ms cpu-min %.2f ms wall-median %.2f ms %.1f GFLOP/s%n",
                    impl, args[i], cpu[reps / 2], cpu[0], wall[reps / 2], mflop / cpu[reps / 2]);
        }
    }
}
