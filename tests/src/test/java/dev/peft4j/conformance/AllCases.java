package dev.peft4j.conformance;

import java.util.ArrayList;
import java.util.List;

/** Every conformance case, family by family. */
final class AllCases {
    private AllCases() {}

    static List<KernelCase> list() {
        List<KernelCase> all = new ArrayList<>();
        all.addAll(ElementwiseCases.cases());
        all.addAll(GemmCases.cases());
        all.addAll(LinearCases.cases());
        all.addAll(LoraCases.cases());
        all.addAll(MixedLoraCases.cases());
        all.addAll(AdapterCases.cases());
        all.addAll(AttentionCases.cases());
        all.addAll(ScaleCases.cases());
        all.addAll(BitFitCases.cases());
        all.addAll(LayerNormCases.cases());
        all.addAll(ActivationSoftmaxCases.cases());
        all.addAll(DropoutCases.cases());
        all.addAll(EmbeddingPoolCases.cases());
        all.addAll(CrossEntropyCases.cases());
        all.addAll(OptimizerCases.cases());
        return all;
    }
}
