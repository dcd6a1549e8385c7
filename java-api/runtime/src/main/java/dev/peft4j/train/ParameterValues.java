package dev.peft4j.train;

import dev.peft4j.model.Parameter;
import java.util.List;

/** Host copies of parameter values, in the order of a parameter list: what snapshots and checkpoints hold. */
final class ParameterValues {
    private ParameterValues() {}

    /** Each parameter's value on the host, {@code out[i]} for {@code params.get(i)}. */
    static float[][] snapshot(List<Parameter> params) {
        float[][] out = new float[params.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = params.get(i).value().toArray();
        }
        return out;
    }

    /** Writes {@code values[i]} back into {@code params.get(i)}. */
    static void restore(List<Parameter> params, float[][] values) {
        for (int i = 0; i < values.length; i++) {
            params.get(i).value().copyFrom(values[i]);
        }
    }
}
