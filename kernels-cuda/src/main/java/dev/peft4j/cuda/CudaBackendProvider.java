package dev.peft4j.cuda;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.BackendUnavailableException;

/**
 * The "cuda" backend (priority 300). Availability loads the native library and asks the CUDA runtime for a
 * device, never throwing: without one it says why (library not built, no driver, no device). With a device it
 * still says no unless {@code -Dpeft4j.cuda.unverified=true}: {@link CudaBackend} was written without a GPU and
 * has not passed the conformance suite on one, so {@link dev.peft4j.backend.Backends} falls back to the next
 * backend by default. The property lets a GPU session run that verification.
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
        if (Boolean.getBoolean(UNVERIFIED_PROPERTY)) {
            return Availability.yes();
        }
        return Availability.no(INCOMPLETE + " (a CUDA device is present)");
    }

    @Override
    public Backend create() {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendUnavailableException("peft4j backend 'cuda' is unavailable: " + a.reason());
        }
        return new CudaBackend();
    }
}
