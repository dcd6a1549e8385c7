package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The backend's own exp and tanh: accurate, and the same bits in every JIT tier. */
class DeterministicMathTest {

    @Test
    void expIsWithinTwoUlpsOverTheWholeFloatRange() {
        Assumptions.assumeFalse(Simd.SCALAR, "vector code only");
        SplittableRandom rng = new SplittableRandom(11);
        float[] x = new float[1 << 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextDouble() * 200 - 110); // beyond both ends: 0, subnormals, ∞
        }
        float[] special = {0f, -0f, 1f, -1f, 88.72f, 88.73f, -87.3f, -103.9f, -150f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, 1e-30f, -1e-30f};
        System.arraycopy(special, 0, x, 0, special.length);
        float[] y = new float[x.length];
        VectorMath.expBlock(x, 0, 0f, y, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            float want = (float) StrictMath.exp(x[i]);
            if (Float.isNaN(want) || Float.isInfinite(want) || want == 0f) {
                assertEquals(want, y[i], 0f, "exp(" + x[i] + ")");
            } else {
                assertTrue(Math.abs(y[i] - want) <= 2 * Math.ulp(want), "exp(" + x[i] + ") = " + y[i] + ", want " + want);
            }
        }
    }

    @Test
    void tanhIsWithinThreeUlps() {
        Assumptions.assumeFalse(Simd.SCALAR, "vector code only");
        SplittableRandom rng = new SplittableRandom(12);
        float[] x = new float[1 << 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((rng.nextBoolean() ? 1 : 12) * (rng.nextDouble() * 2 - 1));
        }
        x[0] = 0f;
        x[1] = 0.5f;
        x[2] = -0.49999997f;
        x[3] = Float.POSITIVE_INFINITY;
        x[4] = -100f;
        float[] y = new float[x.length];
        ActivationLoops.tanh(x, 0, y, x.length);
        for (int i = 0; i < x.length; i++) {
            float want = (float) StrictMath.tanh(x[i]);
            assertTrue(Math.abs(y[i] - want) <= 3 * Math.ulp(want), "tanh(" + x[i] + ") = " + y[i] + ", want " + want);
        }
    }

    /**
     * An element's activation does not depend on where a thread's range starts or ends: the partial vector at a
     * range's end runs through the same vector code as the rest (it used to take a scalar path with other
     * rounding), so results do not change with the thread count.
     */
    @Test
    void activationsDoNotDependOnRangeBoundaries() {
        Assumptions.assumeFalse(Simd.SCALAR, "vector code only");
        SplittableRandom rng = new SplittableRandom(13);
        int n = 1000;
        float[] x = new float[n];
        float[] dy = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextGaussian() * 4);
            dy[i] = (float) rng.nextGaussian();
        }
        for (dev.peft4j.backend.Activation f : dev.peft4j.backend.Activation.values()) {
            float[] whole = new float[n];
            float[] pieces = new float[n];
            ActivationKernels.forwardRange(f, x, whole, 0, n);
            for (int from = 0, step = 1; from < n; from += step, step += 6) { // ranges of 1, 7, 13, ... elements
                ActivationKernels.forwardRange(f, x, pieces, from, Math.min(n, from + step));
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(whole, pieces, 0f, f + " forward");
            ActivationKernels.backwardRange(f, dy, x, whole, 0.5f, 0, n);
            for (int from = 0, step = 1; from < n; from += step, step += 6) {
                ActivationKernels.backwardRange(f, dy, x, pieces, 0.5f, from, Math.min(n, from + step));
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(whole, pieces, 0f, f + " backward");
        }
    }

    /**
     * The interpreter runs Vector-API code through its Java fallback, C2 through intrinsics: with lanewise(EXP)
     * about 1 % of lanes came out one ulp apart, so a result depended on how far the JIT had got (a resumed run
     * starts cold). The kernels must give identical bits either way.
     */
    @Test
    void kernelsGiveTheSameBitsInterpretedAndCompiled() throws IOException, InterruptedException {
        Assumptions.assumeFalse(Simd.SCALAR, "vector code only");
        long compiled = 0;
        for (int i = 0; i < 3000; i++) { // enough calls for C2 to compile the kernels
            compiled = KernelBitsProbe.digest();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the child takes this JVM's vector width: its -XX:UseAVX (the AVX2 test run) and its vectorBits property
        List<String> cmd = new ArrayList<>(List.of(java, "-Xint", "--add-modules", "jdk.incubator.vector"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:UseAVX=") || arg.equals("-XX:+IgnoreUnrecognizedVMOptions")) {
                cmd.add(arg);
            }
        }
        String bits = System.getProperty(Simd.PROPERTY);
        if (bits != null) {
            cmd.add("-D" + Simd.PROPERTY + "=" + bits);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelBitsProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the interpreted probe did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.split("\\R");
        assertEquals(Long.toHexString(compiled), lines[lines.length - 1], "digest of the interpreted run\n" + out);
    }
}
