/**
 * peft4j's core: tensors, the Backend SPI and how a backend is chosen, the validating and profiling wrappers, the
 * reference backend (the float64 oracle) and the plain-Java float32 fallback. It needs nothing beyond {@code java.base}; the fast backends are separate
 * modules found through {@link java.util.ServiceLoader} ({@code dev.peft4j.cpu}, {@code dev.peft4j.cuda}).
 */
module dev.peft4j.core {
    exports dev.peft4j.tensor;
    exports dev.peft4j.backend;
    exports dev.peft4j.backend.reference;
    exports dev.peft4j.backend.plain;

    uses dev.peft4j.backend.BackendProvider;

    provides dev.peft4j.backend.BackendProvider with dev.peft4j.backend.reference.ReferenceBackendProvider,
            dev.peft4j.backend.plain.PlainBackendProvider;
}
