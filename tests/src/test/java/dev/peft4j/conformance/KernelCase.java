package dev.peft4j.conformance;

import java.util.function.Consumer;

/**
 * One conformance case: a kernel at one set of sizes. {@code prepare} draws the host inputs (and has the
 * oracle compute saved tensors); {@code body} runs the kernel on a {@link KernelRun} and records its outputs.
 * The same body runs on the oracle and on the backend under test.
 *
 * @param family the kernel family (one per catalogue class), used to group the report
 * @param kernel the Backend method(s) exercised
 * @param sizes  the sizes and options, as printed in names and failure messages
 */
record KernelCase(String family, String kernel, String sizes, Consumer<CaseInputs> prepare, Consumer<KernelRun> body) {

    String displayName() {
        return kernel + " " + sizes;
    }
}
