/**
 * The CUDA backend ({@code -Dpeft4j.backend=cuda}): peft4j's kernels through a JavaCPP binding of the C ABI in
 * {@code native/}, and cuBLAS through JavaCPP's cuda preset. The natives are in the {@code linux-x86_64}
 * classifier jar.
 */
module dev.peft4j.cuda {
    requires transitive dev.peft4j.core;
    requires org.bytedeco.javacpp;
    requires org.bytedeco.cuda;

    exports dev.peft4j.cuda;
    // JavaCPP's Loader finds the natives as resources of this package (dev/peft4j/cuda/linux-x86_64/).
    opens dev.peft4j.cuda to org.bytedeco.javacpp;

    provides dev.peft4j.backend.BackendProvider with dev.peft4j.cuda.CudaBackendProvider;
}
