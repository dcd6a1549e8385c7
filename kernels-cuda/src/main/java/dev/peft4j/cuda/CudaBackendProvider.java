package dev.peft4j.cuda;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.BackendUnavailableException;

/**
 * The "cuda" backend (priority 300). Availability never throws; it says no, with the reason, unless all of these hold:
 * <ol>
 *   <li>the native library loads and the CUDA runtime finds a device ({@link NativeLibrary#probeDevices()});</li>
 *   <li>the GEMM engine ({@code -Dpeft4j.cuda.gemm}, see {@link GemmEngine}) is valid and, for cuBLAS (the default),
 *       cuBLAS loads ({@link CublasLibrary});</li>
 *   <li>{@code -Dpeft4j.cuda.unverified=true}: {@link CudaBackend} was written without a GPU and has not passed the
 *       conformance suite on one, so {@link dev.peft4j.backend.Backends} falls back to the next backend by default.
 *       The property lets a GPU session run that verification.</li>
 * </ol>
 */
public final class CudaBackendProvider implements BackendProvider {
    /** Set to true to use the not yet verified CUDA backend on a machine with a device. */
    public static final String UNVERIFIED_PROPERTY = "peft4j.cuda.unverified";
    static final String INCOMPLETE = "the CUDA backend has not been verified on a GPU yet (set -D" + UNVERIFIED_PROPERTY
            + "=true to use it anyway)";

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 300;
    }

    @Override
    public Availability availability() {
        Availability device = NativeLibrary.probeDevices();
        if (!device.available()) {
            return device;
        }
        Availability gemm = gemmAvailability();
        if (!gemm.available()) {
            return gemm;
        }
        if (Boolean.getBoolean(UNVERIFIED_PROPERTY)) {
            return Availability.yes();
        }
        return Availability.no(INCOMPLETE + " (a CUDA device is present)");
    }

    /** Whether the configured GEMM engine can run: a known name, and for cuBLAS a library that loads. */
    static Availability gemmAvailability() {
        GemmEngine engine;
        try {
            engine = GemmEngine.fromSystemProperty();
        } catch (IllegalArgumentException e) {
            return Availability.no(e.getMessage());
        }
        if (engine == GemmEngine.TILED) {
            return Availability.yes();
        }
        Availability cublas = CublasLibrary.load();
        return cublas.available() ? cublas : Availability.no(cublas.reason() + " (or use peft4j's own GEMM kernels: -D"
                + GemmEngine.PROPERTY + "=tiled)");
    }

    @Override
    public Backend create() {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendUnavailableException("peft4j backend 'cuda' is unavailable: " + a.reason());
        }
        return new CudaBackend(GemmEngine.fromSystemProperty());
    }
}
