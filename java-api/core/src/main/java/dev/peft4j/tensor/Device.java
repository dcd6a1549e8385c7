package dev.peft4j.tensor;

/** Where a tensor's storage lives. A kernel only takes tensors of its backend's device. */
public enum Device {
    /** Host memory; shared by the reference and the Vector-API backends. */
    CPU,
    /** NVIDIA GPU memory, owned by the CUDA backend. */
    CUDA
}
