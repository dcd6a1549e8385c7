package dev.peft4j.bench;

import java.util.Arrays;

/**
 * Two {@link SgemmBenchmark} setups in one JVM, called alternately (a, b, a, b, ...) so that the host's slow
 * spells fall on both: for a VM whose speed wanders by 10–30 % between and within runs, where separate JVMs
 * cannot resolve a few per cent. Each setup is {@code impl:threads}, e.g. {@code peft4j:1 openblas:1} (against
 * OpenBLAS) or {@code peft4j:2 peft4j:1} (thread scaling; not for OpenBLAS, whose thread count is one per
 * process). Usage: {@code java --add-modules jdk.incubator.vector
 * -Dpeft4j.cpu.warmUp=false -cp benchmarks.jar dev.peft4j.bench.SgemmPaired A B PAIRS MxNxK...}: per shape, 2 s of
 * alternating warm-up, then PAIRS pairs of wall-clock timed calls; prints each side's median and best ms and the
 * median over pairs of time(b) ÷ time(a), i.e. a's speed relative to b's, with its quartiles.
 */
public final class SgemmPaired {
    private SgemmPaired() {}

    public static void main(String[] args) {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: SgemmPaired IMPL:THREADS IMPL:THREADS PAIRS MxNxK...");
        }
        if (args[0].startsWith("openblas:") && args[1].startsWith("openblas:") && !args[0].equals(args[1])) {
            // openblas_set_num_threads is process-wide: the second setup's count would apply to both
            throw new IllegalArgumentException("OpenBLAS's thread count is one per process: compare "
                    + args[0] + " and " + args[1] + " in separate JVMs");
        }
        int pairs = Integer.parseInt(args[2]);
        for (int i = 3; i < args.length; i++) {
            SgemmBenchmark a = setUp(args[0], args[i]);
            SgemmBenchmark b = setUp(args[1], args[i]);
            long end = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < end) {
                a.sgemm();
                b.sgemm();
            }
            double[] ta = new double[pairs];
            double[] tb = new double[pairs];
            double[] ratio = new double[pairs];
            for (int r = 0; r < pairs; r++) {
                // alternate which goes first, so neither always runs on caches the other left
                boolean aFirst = r % 2 == 0;
                ta[r] = aFirst ? time(a) : 0;
                tb[r] = time(b);
                if (!aFirst) {
                    ta[r] = time(a);
                }
                ratio[r] = tb[r] / ta[r];
            }
            a.tearDown();
            b.tearDown();
            Arrays.sort(ta);
            Arrays.sort(tb);
            Arrays.sort(ratio);
            System.out.printf("%s  %s median %.2f ms (best %.2f)  %s median %.2f ms (best %.2f)  "
                            + "speed %s / %s: median %.3f (quartiles %.3f-%.3f) over %d pairs%n",
                    args[i], args[0], ta[pairs / 2], ta[0], args[1], tb[pairs / 2], tb[0],
                    args[0], args[1], ratio[pairs / 2], ratio[pairs / 4], ratio[3 * pairs / 4], pairs);
        }
    }

    private static SgemmBenchmark setUp(String side, String mnk) {
        String[] s = side.split(":");
        if (s.length != 2 || !(s[0].equals("peft4j") || s[0].equals("openblas"))) {
            throw new IllegalArgumentException("'" + side + "': expected peft4j:THREADS or openblas:THREADS");
        }
        SgemmBenchmark b = new SgemmBenchmark();
        b.mnk = mnk;
        b.impl = s[0];
        b.threads = Integer.parseInt(s[1]);
        b.setUp();
        return b;
    }

    private static double time(SgemmBenchmark b) {
        long t0 = System.nanoTime();
        b.sgemm();
        return (System.nanoTime() - t0) / 1e6;
    }
}
