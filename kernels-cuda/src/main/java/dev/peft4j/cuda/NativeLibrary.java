package dev.peft4j.cuda;

import dev.peft4j.backend.Availability;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;

/**
 * Loads the peft4j native library once per JVM and asks it for CUDA devices. Nothing here throws: every
 * failure (library not built, JNI load error, no driver, no device) becomes an {@link Availability} with
 * the reason.
 */
public final class NativeLibrary {
    /** The JNI glue JavaCPP builds from {@link Peft4jNative}. */
    static final String JNI_LIBRARY = "libjniPeft4jNative.so";

    private NativeLibrary() {}

    /** Where the build puts the native libraries on the class path, e.g. {@code dev/peft4j/cuda/linux-x86_64/}. */
    static String resourceDir() {
        return "dev/peft4j/cuda/" + Loader.getPlatform() + "/";
    }

    /** Whether the native library is part of this build (false when it was built without nvcc). */
    public static boolean isBundled() {
        return NativeLibrary.class.getClassLoader().getResource(resourceDir() + JNI_LIBRARY) != null;
    }

    /** Whether the native library loaded; tried once per JVM. */
    public static Availability load() {
        return Loaded.RESULT;
    }

    /** Whether the library loaded and at least one CUDA device is usable; probed once per JVM. */
    public static Availability probeDevices() {
        return Devices.RESULT;
    }

    /** Throws {@link CudaException} with the reason unless a device is usable. */
    static void requireDevice() {
        Availability a = probeDevices();
        if (!a.available()) {
            throw new CudaException("CUDA is not usable here: " + a.reason(), -1);
        }
    }

    private static final class Loaded {
        static final Availability RESULT = tryLoad();
    }

    private static final class Devices {
        static final Availability RESULT = tryCountDevices();
    }

    private static Availability tryLoad() {
        try {
            if (!isBundled()) {
                return Availability.no("the peft4j native library is not in this build (" + resourceDir()
                        + JNI_LIBRARY + " missing: kernels-cuda was built without nvcc)");
            }
            Loader.load(Peft4jNative.class);
            return Availability.yes();
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, SecurityException, ...
            return Availability.no("the peft4j native library failed to load: " + t);
        }
    }

    private static Availability tryCountDevices() {
        Availability lib = load();
        if (!lib.available()) {
            return lib;
        }
        try (IntPointer count = new IntPointer(1)) {
            int status = Peft4jNative.peft4j_device_count(count);
            if (status != Peft4jNative.PEFT4J_OK) {
                return Availability.no(CudaStatus.message(status));
            }
            if (count.get() < 1) {
                return Availability.no("no CUDA device: cudaGetDeviceCount reports 0 devices");
            }
            return Availability.yes();
        } catch (Throwable t) {
            return Availability.no("probing CUDA devices failed: " + t);
        }
    }
}
