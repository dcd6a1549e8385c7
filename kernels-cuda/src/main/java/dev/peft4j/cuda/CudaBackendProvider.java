package dev.peft4j.cuda;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendOptions;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.BackendUnavailableException;

/**
 * The "cuda" backend (priority 300). Availability never throws; it says no, with the reason, unless all of these hold:
 * <ol>
 *   <li>the native library loads and the CUDA runtime finds a device ({@link NativeLibrary#probeDevices()});</li>
 *   <li>the GEMM engine ({@link BackendOptions#cudaGemmEngine()}, else {@code -Dpeft4j.cuda.gemm}, see {@link GemmEngine}) is valid and, for cuBLAS (the default),
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
        return availability(BackendOptions.defaults());
    }

    /**
     * As {@link #availability()}, with the GEMM engine of the options ({@link BackendOptions#effectiveCudaGemmEngine()})
     * and their device index, which must be 0: the native library does not select devices yet, so another device is
     * reached by making it the process's device 0 with {@code CUDA_VISIBLE_DEVICES}.
     */
    @Override
    public Availability availability(BackendOptions options) {
        if (options.effectiveCudaDevice() != 0) {
            return Availability.no("CUDA device " + options.effectiveCudaDevice() + " was asked for, but the CUDA backend "
                    + "runs on device 0 only: start the JVM with CUDA_VISIBLE_DEVICES=" + options.effectiveCudaDevice()
                    + " to make that device the process's device 0, and leave cudaDevice unset");
        }
        Availability device = NativeLibrary.probeDevices();
        if (!device.available()) {
            return device;
        }
        Availability gemm = gemmAvailability(options);
        if (!gemm.available()) {
            return gemm;
        }
        if (Boolean.getBoolean(UNVERIFIED_PROPERTY)) {
            return Availability.yes();
        }
        return Availability.no(INCOMPLETE + " (a CUDA device is present)");
    }

    /** {@link #gemmAvailability(BackendOptions)} for the engine of the system property (cuBLAS when unset). */
    static Availability gemmAvailability() {
        return gemmAvailability(BackendOptions.defaults());
    }

    /** Whether the configured GEMM engine can run: a known name, and for cuBLAS a library that loads. */
    static Availability gemmAvailability(BackendOptions options) {
        GemmEngine engine;
        try {
            engine = GemmEngine.parse(options.effectiveCudaGemmEngine());
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
        return create(BackendOptions.defaults());
    }

    /** A backend on device 0 whose dense products use the options' GEMM engine; fails with the reason if unavailable. */
    @Override
    public Backend create(BackendOptions options) {
        Availability a = availability(options);
        if (!a.available()) {
            throw new BackendUnavailableException("peft4j backend 'cuda' is unavailable: " + a.reason());
        }
        return new CudaBackend(GemmEngine.parse(options.effectiveCudaGemmEngine()));
    }
}
