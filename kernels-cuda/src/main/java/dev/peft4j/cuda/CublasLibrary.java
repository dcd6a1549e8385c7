package dev.peft4j.cuda;

import dev.peft4j.backend.Availability;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.Loader;

/**
 * Loads cuBLAS once per JVM through the JavaCPP cuda preset (its JNI glue, which links the machine's
 * libcublas.so.13, libcublasLt.so.13 and libcudart.so.13). Nothing here throws: a failure becomes an
 * {@link Availability} with the reason.
 */
final class CublasLibrary {
    private CublasLibrary() {}

    /** Whether cuBLAS loaded; tried once per JVM. */
    static Availability load() {
        return Loaded.RESULT;
    }

    private static final class Loaded {
        static final Availability RESULT = tryLoad();
    }

    private static Availability tryLoad() {
        try {
            Loader.load(cublas.class);
            return Availability.yes();
        } catch (Throwable t) { // UnsatisfiedLinkError (no libcublas.so.13), NoClassDefFoundError (preset missing), ...
            return Availability.no("cuBLAS failed to load (the CUDA 13 libraries libcublas.so.13, libcublasLt.so.13 and "
                    + "libcudart.so.13 must be on the library path, e.g. LD_LIBRARY_PATH=/usr/local/cuda/lib64): "
                    + withCauses(t));
        }
    }

    /** The throwable and its causes, "a; caused by b; ...", so the missing library itself is named. */
    static String withCauses(Throwable t) {
        StringBuilder sb = new StringBuilder(String.valueOf(t));
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append("; caused by ").append(c);
        }
        return sb.toString();
    }
}
