package dev.peft4j.search;

import dev.peft4j.model.BertConfig;
import dev.peft4j.peft.LayerPlan;
import dev.peft4j.peft.PeftPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The AutoPEFT space (Zhou et al.): serial adapter width, parallel adapter width and prefix length, each off or one
 * of a list of sizes, and a per-layer insertion mask; in every masked layer the serial adapter (after the FFN,
 * {@link Strategy#ADAPTER}), the parallel adapter ({@link Strategy#PARALLEL_ADAPTER}) and the prefix go in at those
 * sizes. Encoded for the surrogate as a point of [0,1]^(3+L): size indices over their range, then the mask bits.
 */
public record AutoPeftSpace(BertConfig model, int[] serialSizes, int[] parallelSizes, int[] prefixLengths) {
    public AutoPeftSpace {
        if (model.layers() > 63) {
            throw new IllegalArgumentException("the insertion mask holds at most 63 layers, the model has " + model.layers());
        }
        serialSizes = check("serialSizes", serialSizes);
        parallelSizes = check("parallelSizes", parallelSizes);
        prefixLengths = check("prefixLengths", prefixLengths);
    }

    /**
     * Power-of-two reductions: adapter widths d/2^k for k = 1..reductions (at least 1), prefix lengths maxPrefix/2^k
     * for k = 0..reductions−1; each also off.
     */
    public static AutoPeftSpace powersOfTwo(BertConfig model, int reductions, int maxPrefix) {
        List<Integer> a = new ArrayList<>();
        List<Integer> p = new ArrayList<>();
        for (int k = 1; k <= reductions; k++) {
            int w = model.hidden() >> k;
            if (w >= 1 && !a.contains(w)) {
                a.add(0, w);
            }
            int l = maxPrefix >> (k - 1);
            if (l >= 1 && !p.contains(l)) {
                p.add(0, l);
            }
        }
        int[] sizes = a.stream().mapToInt(Integer::intValue).toArray();
        return new AutoPeftSpace(model, sizes, sizes, p.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * The sizes of AutoPEFT's grid (Zhou et al. 2024, the search space table as we read it): serial and parallel
     * adapter widths and prefix lengths each off or one of 1, 3, 6, 12, 24, 48, 96, 192, 384, 768.
     */
    static final int[] AUTOPEFT_SIZES = {1, 3, 6, 12, 24, 48, 96, 192, 384, 768};

    /**
     * AutoPEFT's grid for this model: adapter widths of {@link #AUTOPEFT_SIZES} up to the hidden width, prefix
     * lengths of it up to {@code maxPrefix} (the sequence length the inputs are cut to, or less: a prefix longer
     * than the sequences it is prepended to makes little sense), each also off, and the per-layer insertion mask.
     */
    public static AutoPeftSpace autoPeftGrid(BertConfig model, int maxPrefix) {
        int[] widths = java.util.Arrays.stream(AUTOPEFT_SIZES).filter(w -> w <= model.hidden()).toArray();
        int[] prefixes = java.util.Arrays.stream(AUTOPEFT_SIZES).filter(l -> l <= maxPrefix).toArray();
        if (widths.length == 0 || prefixes.length == 0) {
            throw new IllegalArgumentException("AutoPEFT's grid needs a hidden width and a maximum prefix ≥ 1, got "
                    + model.hidden() + " and " + maxPrefix);
        }
        return new AutoPeftSpace(model, widths, widths, prefixes);
    }

    public int dimensions() {
        return 3 + model.layers();
    }

    /** Index 0 = off, i ≥ 1 = sizes[i−1]. */
    public int size(int[] sizes, int index) {
        return index == 0 ? 0 : sizes[index - 1];
    }

    public double[] encode(AutoPeftConfig c) {
        double[] x = new double[dimensions()];
        x[0] = (double) c.serial() / serialSizes.length;
        x[1] = (double) c.parallel() / parallelSizes.length;
        x[2] = (double) c.prefix() / prefixLengths.length;
        for (int l = 0; l < model.layers(); l++) {
            x[3 + l] = c.inLayer(l) ? 1 : 0;
        }
        return x;
    }

    /** The point whose cell holds u ∈ [0,1)^(3+L): index ⌊u·(n+1)⌋, layer bit u ≥ ½. */
    public AutoPeftConfig fromUnit(double[] u) {
        long mask = 0;
        for (int l = 0; l < model.layers(); l++) {
            if (u[3 + l] >= 0.5) {
                mask |= 1L << l;
            }
        }
        return new AutoPeftConfig(cell(u[0], serialSizes.length), cell(u[1], parallelSizes.length),
                cell(u[2], prefixLengths.length), mask);
    }

    public AutoPeftConfig random(SplittableRandom rng) {
        double[] u = new double[dimensions()];
        for (int i = 0; i < u.length; i++) {
            u[i] = rng.nextDouble();
        }
        return fromUnit(u);
    }

    public PeftPlan toPlan(AutoPeftConfig c) {
        List<LayerPlan> layers = new ArrayList<>();
        for (int l = 0; l < model.layers(); l++) {
            LayerPlan lp = LayerPlan.NONE;
            if (c.inLayer(l)) {
                if (c.serial() > 0) {
                    lp = Strategy.ADAPTER.apply(lp, size(serialSizes, c.serial()));
                }
                if (c.parallel() > 0) {
                    lp = Strategy.PARALLEL_ADAPTER.apply(lp, size(parallelSizes, c.parallel()));
                }
                if (c.prefix() > 0) {
                    lp = Strategy.PREFIX.apply(lp, size(prefixLengths, c.prefix()));
                }
            }
            layers.add(lp);
        }
        return new PeftPlan(layers);
    }

    /**
     * Whether the configuration adds nothing to the encoder (every module off, or no layer in the mask): its plan
     * would train the classification head alone, a baseline under another name, so the search never proposes it.
     */
    public boolean addsNothing(AutoPeftConfig c) {
        boolean anyModule = c.serial() > 0 || c.parallel() > 0 || c.prefix() > 0;
        boolean anyLayer = (c.layerMask() & ((1L << model.layers()) - 1)) != 0;
        return !anyModule || !anyLayer;
    }

    /** The largest parameter fraction of the space: every module at its largest size in every layer. */
    public double maxFraction() {
        long all = (1L << model.layers()) - 1;
        return ParameterCounter.fraction(model, toPlan(new AutoPeftConfig(serialSizes.length, parallelSizes.length,
                prefixLengths.length, all)));
    }

    public String label(AutoPeftConfig c) {
        StringBuilder mask = new StringBuilder();
        for (int l = 0; l < model.layers(); l++) {
            mask.append(c.inLayer(l) ? '1' : '0');
        }
        return "SA" + sizeLabel(serialSizes, c.serial()) + "-PA" + sizeLabel(parallelSizes, c.parallel()) + "-PT"
                + sizeLabel(prefixLengths, c.prefix()) + "-L" + mask;
    }

    private String sizeLabel(int[] sizes, int i) {
        return i == 0 ? "off" : Integer.toString(sizes[i - 1]);
    }

    private static int cell(double u, int n) {
        return Math.min(n, (int) Math.floor(u * (n + 1)));
    }

    private static int[] check(String name, int[] sizes) {
        if (sizes == null || sizes.length == 0 || Arrays.stream(sizes).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException(name + " must list sizes ≥ 1, got " + Arrays.toString(sizes));
        }
        return sizes.clone();
    }
}
