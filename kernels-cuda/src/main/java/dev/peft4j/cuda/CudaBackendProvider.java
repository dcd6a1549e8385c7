package dev.peft4j.cuda;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.BackendUnavailableException;

/**
 * The "cuda" backend (priority 300). Availability loads the native library and asks the CUDA runtime for a
 * device, never throwing: without one it says why (library not built, no driver, no device). With a device
 * it still says no, because the backend is not complete yet, so {@link dev.peft4j.backend.Backends} falls
 * back to the next backend instead of failing in {@link #create()}.
 */
public final class CudaBackendProvider implements BackendProvider {
    static final String INCOMPLETE = "the CUDA backend is not complete yet: only the LoRA forward kernel exists";

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
        return Availability.no(INCOMPLETE + " (a CUDA device is present; use CudaLoraForward for that kernel)");
    }

    @Override
    public Backend create() {
        Availability a = availability();
        throw new BackendUnavailableException("peft4j backend 'cuda' is unavailable: " + a.reason());
    }
}
