package dev.peft4j.conformance;

import dev.peft4j.backend.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs one case on the oracle and on a backend under test, and fails with every output that differs. */
final class CaseComparison {
    /** -Dpeft4j.conformance.verbose=true prints every output's error, to see how far below its tolerance it lies. */
    private static final boolean VERBOSE = Boolean.getBoolean("peft4j.conformance.verbose");

    private CaseComparison() {}

    static void check(KernelCase kc, Backend oracle, Backend tested, String testedName) {
        check(kc, oracle, tested, testedName, seed -> TensorPlacement.uploaded());
    }

    /**
     * As {@link #check(KernelCase, Backend, Backend, String)}, with every tensor the tested backend gets (inputs
     * and outputs) made by the placement the case's seed gives (e.g. wrapped inside a larger NaN-poisoned array,
     * whose margins must come back untouched). The oracle always runs on uploaded tensors.
     */
    static void check(KernelCase kc, Backend oracle, Backend tested, String testedName,
                      java.util.function.LongFunction<TensorPlacement> placement) {
        long seed = CaseSeeds.forCase(kc.displayName());
        String where = "kernel " + kc.kernel() + ", backend " + testedName + ", sizes " + kc.sizes()
                + " (case seed " + seed + ", base seed " + CaseSeeds.base() + "; rerun with -D"
                + CaseSeeds.PROPERTY + "=" + CaseSeeds.base() + ")";
        CaseInputs inputs = new CaseInputs(seed, oracle);
        kc.prepare().accept(inputs);
        Map<String, KernelRun.Result> expected = run(kc, oracle, inputs, TensorPlacement.uploaded(),
                "the reference backend", where);
        Map<String, KernelRun.Result> actual = run(kc, tested, inputs, placement.apply(seed), "backend " + testedName,
                where);

        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, KernelRun.Result> e : expected.entrySet()) {
            String output = e.getKey();
            KernelRun.Result ref = e.getValue();
            if (containsNaN(ref.values())) {
                failures.add("output " + output + ": the reference itself produced NaN (an oracle defect)");
                continue;
            }
            KernelRun.Result got = actual.get(output);
            if (got == null) {
                failures.add("output " + output + ": not produced by " + testedName);
                continue;
            }
            double tolerance = ref.tolerance().forBackend(testedName);
            double error = ref.magnitude() > 0
                    ? Math.abs((double) got.values()[0] - ref.values()[0]) / ref.magnitude()
                    : RelativeError.of(got.values(), ref.values());
            if (VERBOSE) {
                System.out.printf("conformance %s | %s | %s | %s: error %.3g, tolerance %.1g%n",
                        testedName, kc.kernel(), kc.sizes(), output, error, tolerance);
            }
            if (!RelativeError.within(error, tolerance)) {
                failures.add("output " + output + " " + java.util.Arrays.toString(ref.shape()) + (ref.magnitude() > 0 ? ": error |out−ref|/Σ|terms| = " : ": error ‖out−ref‖/‖ref‖ = ")
                        + error + " exceeds the " + ref.tolerance().kind() + " tolerance " + tolerance
                        + firstDifference(got.values(), ref.values()));
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(where + ":\n  " + String.join("\n  ", failures));
        }
    }

    private static Map<String, KernelRun.Result> run(KernelCase kc, Backend backend, CaseInputs inputs,
                                                      TensorPlacement placement, String who, String where) {
        try (KernelRun run = new KernelRun(backend, inputs, placement)) {
            kc.body().accept(run);
            return run.results();
        } catch (RuntimeException | Error e) {
            throw new AssertionError(who + " threw on " + where + ": " + e, e);
        }
    }

    private static boolean containsNaN(float[] values) {
        for (float v : values) {
            if (Float.isNaN(v)) {
                return true;
            }
        }
        return false;
    }

    /** Where the first element outside the tolerance lies, to tell a tail bug from a general one. */
    private static String firstDifference(float[] out, float[] ref) {
        if (out.length != ref.length) {
            return "; lengths differ: " + out.length + " vs " + ref.length;
        }
        double scale = 0;
        for (float r : ref) {
            if (Float.isFinite(r)) {
                scale = Math.max(scale, Math.abs(r));
            }
        }
        for (int i = 0; i < ref.length; i++) {
            boolean bad = Float.isNaN(out[i]) || (Float.isInfinite(ref[i]) ? out[i] != ref[i]
                    : Math.abs(out[i] - ref[i]) > 1e-4 * Math.max(scale, 1e-30));
            if (bad) {
                return "; first large difference at flat index " + i + " of " + ref.length + ": got " + out[i]
                        + ", reference " + ref[i];
            }
        }
        return "";
    }
}
