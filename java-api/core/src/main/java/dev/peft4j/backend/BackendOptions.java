package dev.peft4j.backend;

import java.util.Locale;

/**
 * How {@link Backends} picks and configures a backend. Every component is optional: {@code null} means "not set".
 *
 * <p><b>Precedence</b>, for each setting on its own: a value set here wins; when it is not set, the system property
 * named beside it below is read; when that is not set either, the default applies. So a program that passes no
 * options behaves exactly as before (properties, then defaults), and a value written in code is never silently
 * replaced by a property.
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>component</th><th>system property</th><th>default</th></tr>
 *   <tr><td>{@link #backend()}</td><td>{@value Backends#PROPERTY}</td><td>the best available (cuda, cpu, plain)</td></tr>
 *   <tr><td>{@link #threads()}</td><td>{@value #THREADS_PROPERTY}</td><td>one per available processor</td></tr>
 *   <tr><td>{@link #warmUp()}</td><td>{@value #WARM_UP_PROPERTY}</td><td>true (the cpu backend's JIT warm-up)</td></tr>
 *   <tr><td>{@link #cpuVectorBits()}</td><td>{@value #VECTOR_BITS_PROPERTY}</td><td>the machine's preferred width</td></tr>
 *   <tr><td>{@link #cudaDevice()}</td><td>none</td><td>0</td></tr>
 *   <tr><td>{@link #cudaGemmEngine()}</td><td>{@value #GEMM_ENGINE_PROPERTY}</td><td>cublas</td></tr>
 * </table>
 *
 * <p>Values are checked when the options are made, so a wrong one fails where it was written:
 * <pre>{@code
 * Backend b = Backends.create(BackendOptions.defaults().withThreads(4).withWarmUp(false));
 * }</pre>
 *
 * @param backend        the backend to use by name ("cuda", "cpu", "reference"); null: the property, else the best
 * @param threads        worker threads of a CPU backend, the caller included (at least 1); null: the property, else
 *                       one per available processor
 * @param warmUp         whether the cpu backend warms its kernels up in the JIT once per JVM; null: the property,
 *                       else true
 * @param cpuVectorBits  the cpu backend's vector width in bits: 0 (scalar loops), 64, 128, 256 or 512, at most the
 *                       machine's preferred width; fixed once per JVM by the first cpu backend; null: the property,
 *                       else the preferred width
 * @param cudaDevice     the CUDA device index (at least 0); null: 0
 * @param cudaGemmEngine the CUDA backend's dense-product engine, "cublas" or "tiled"; null: the property, else cublas
 */
public record BackendOptions(String backend, Integer threads, Boolean warmUp, Integer cpuVectorBits,
                             Integer cudaDevice, String cudaGemmEngine) {
    /** The system property for {@link #threads()}: {@code -Dpeft4j.cpu.threads=4} gives a CPU backend 4 threads. */
    public static final String THREADS_PROPERTY = "peft4j.cpu.threads";
    /** The system property for {@link #warmUp()}: {@code -Dpeft4j.cpu.warmUp=false} turns the warm-up off. */
    public static final String WARM_UP_PROPERTY = "peft4j.cpu.warmUp";
    /** The system property for {@link #cpuVectorBits()}: {@code -Dpeft4j.cpu.vectorBits=0} selects scalar loops. */
    public static final String VECTOR_BITS_PROPERTY = "peft4j.cpu.vectorBits";
    /** The system property for {@link #cudaGemmEngine()}: {@code -Dpeft4j.cuda.gemm=tiled}. */
    public static final String GEMM_ENGINE_PROPERTY = "peft4j.cuda.gemm";

    private static final BackendOptions DEFAULTS = new BackendOptions(null, null, null, null, null, null);

    /** Checks every component that is set and normalises names to lower case. */
    public BackendOptions {
        if (backend != null) {
            if (backend.isBlank()) {
                throw new IllegalArgumentException("backend name is blank: give a name such as \"cpu\" or leave it "
                        + "unset (null) to choose the best available backend");
            }
            backend = backend.trim().toLowerCase(Locale.ROOT);
        }
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ": a backend needs at least 1 thread (the "
                    + "caller's); leave it unset (null) for one per available processor");
        }
        if (cpuVectorBits != null) {
            checkVectorBits(cpuVectorBits, "cpuVectorBits = " + cpuVectorBits);
        }
        if (cudaDevice != null && cudaDevice < 0) {
            throw new IllegalArgumentException("cudaDevice = " + cudaDevice + ": a CUDA device index is 0 or more");
        }
        if (cudaGemmEngine != null) {
            cudaGemmEngine = checkGemmEngine(cudaGemmEngine, "cudaGemmEngine = \"" + cudaGemmEngine + "\"");
        }
    }

    /** No option set: every setting comes from its system property or its default. */
    public static BackendOptions defaults() {
        return DEFAULTS;
    }

    /** These options with the backend forced by name (null: choose the best available). */
    public BackendOptions withBackend(String name) {
        return new BackendOptions(name, threads, warmUp, cpuVectorBits, cudaDevice, cudaGemmEngine);
    }

    /** These options with this many worker threads (at least 1, the caller included). */
    public BackendOptions withThreads(int count) {
        return new BackendOptions(backend, count, warmUp, cpuVectorBits, cudaDevice, cudaGemmEngine);
    }

    /** These options with the cpu backend's JIT warm-up on or off. */
    public BackendOptions withWarmUp(boolean on) {
        return new BackendOptions(backend, threads, on, cpuVectorBits, cudaDevice, cudaGemmEngine);
    }

    /** These options with the cpu vector width in bits (0 = scalar loops; 64, 128, 256 or 512). */
    public BackendOptions withCpuVectorBits(int bits) {
        return new BackendOptions(backend, threads, warmUp, bits, cudaDevice, cudaGemmEngine);
    }

    /** These options with the CUDA device index. */
    public BackendOptions withCudaDevice(int index) {
        return new BackendOptions(backend, threads, warmUp, cpuVectorBits, index, cudaGemmEngine);
    }

    /** These options with the CUDA GEMM engine, "cublas" or "tiled". */
    public BackendOptions withCudaGemmEngine(String engine) {
        return new BackendOptions(backend, threads, warmUp, cpuVectorBits, cudaDevice, engine);
    }

    /** The backend to force: this option, else {@value Backends#PROPERTY}, else null (choose the best). */
    public String effectiveBackend() {
        if (backend != null) {
            return backend;
        }
        String p = System.getProperty(Backends.PROPERTY);
        return p == null || p.isBlank() ? null : p.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * Worker threads: this option, else {@value #THREADS_PROPERTY}, else one per available processor. A malformed
     * property fails with its name and value.
     */
    public int effectiveThreads() {
        if (threads != null) {
            return threads;
        }
        Integer n = intProperty(THREADS_PROPERTY, "give the CPU backend's thread count (at least 1), or leave it unset "
                + "for one per available processor");
        if (n == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        if (n < 1) {
            throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + n
                    + ": a backend needs at least 1 thread (the caller)");
        }
        return n;
    }

    /** JIT warm-up: this option, else {@value #WARM_UP_PROPERTY} ("false" turns it off), else true. */
    public boolean effectiveWarmUp() {
        if (warmUp != null) {
            return warmUp;
        }
        String p = System.getProperty(WARM_UP_PROPERTY);
        return p == null || p.isBlank() || Boolean.parseBoolean(p.trim());
    }

    /**
     * The cpu vector width: this option, else {@value #VECTOR_BITS_PROPERTY}, else -1 (the machine's preferred
     * width). A malformed property fails with its name and value.
     */
    public int effectiveCpuVectorBits() {
        if (cpuVectorBits != null) {
            return cpuVectorBits;
        }
        Integer bits = intProperty(VECTOR_BITS_PROPERTY, "use 0 (scalar loops), 64, 128, 256 or 512");
        if (bits == null) {
            return -1;
        }
        checkVectorBits(bits, "-D" + VECTOR_BITS_PROPERTY + "=" + bits);
        return bits;
    }

    /** The integer system property {@code name}, or null when unset; a malformed one fails naming it, with the hint. */
    private static Integer intProperty(String name, String hint) {
        String p = System.getProperty(name);
        if (p == null || p.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(p.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + "=" + p + " is not a number: " + hint);
        }
    }

    /** The CUDA device index: this option, else 0. */
    public int effectiveCudaDevice() {
        return cudaDevice != null ? cudaDevice : 0;
    }

    /** The CUDA GEMM engine: this option, else {@value #GEMM_ENGINE_PROPERTY}, else "cublas"; checked either way. */
    public String effectiveCudaGemmEngine() {
        if (cudaGemmEngine != null) {
            return cudaGemmEngine;
        }
        String p = System.getProperty(GEMM_ENGINE_PROPERTY);
        return p == null || p.isBlank() ? "cublas" : checkGemmEngine(p, "-D" + GEMM_ENGINE_PROPERTY + "=" + p);
    }

    private static void checkVectorBits(int bits, String what) {
        if (bits != 0 && bits != 64 && bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException(what + " is not a vector width: use 0 (scalar loops), 64, 128, 256 "
                    + "or 512 bits, or leave it unset for the machine's preferred width");
        }
    }

    private static String checkGemmEngine(String name, String what) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (!n.equals("cublas") && !n.equals("tiled")) {
            throw new IllegalArgumentException(what + " is not a GEMM engine of the CUDA backend: use cublas or tiled");
        }
        return n;
    }
}
