package dev.peft4j.backend;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wraps a backend and adds up the wall time and call count of every kernel, for a per-kernel breakdown of a
 * training step ({@code peft4j bench --profile}). Times are host wall time: exact for the CPU backends, and for
 * an asynchronous GPU backend only meaningful around synchronising calls.
 */
public final class ProfilingBackend {
    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> shapeNanos = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> shapeCalls = new ConcurrentHashMap<>();
    private final Map<String, Double> shapeFlops = new ConcurrentHashMap<>();
    private final Backend proxy;

    public ProfilingBackend(Backend inner) {
        InvocationHandler h = (p, method, args) -> invoke(inner, method, args);
        proxy = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    /** The timed backend to use in place of the wrapped one. */
    public Backend backend() {
        return proxy;
    }

    private Object invoke(Backend inner, Method method, Object[] args) throws Throwable {
        long t0 = System.nanoTime();
        try {
            return method.invoke(inner, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            long dt = System.nanoTime() - t0;
            nanos.computeIfAbsent(method.getName(), k -> new LongAdder()).add(dt);
            calls.computeIfAbsent(method.getName(), k -> new LongAdder()).increment();
            GemmShape shape = GemmShape.of(method.getName(), args);
            if (shape != null) {
                shapeNanos.computeIfAbsent(shape.key(), k -> new LongAdder()).add(dt);
                shapeCalls.computeIfAbsent(shape.key(), k -> new LongAdder()).increment();
                shapeFlops.put(shape.key(), shape.flops());
            }
        }
    }

    /**
     * The GEMM-shaped kernels (dense and LoRA linears) by shape, the most expensive first: name and shape, calls,
     * total ms, achieved GFLOP/s by {@link GemmShape#flops()}.
     */
    public List<String> gemmReport() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-40s %8s %10s %8s", "GEMM kernel and shape", "calls", "ms", "GFLOP/s"));
        shapeNanos.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                .forEach(e -> {
                    long n = shapeCalls.get(e.getKey()).sum();
                    double ns = e.getValue().sum();
                    lines.add(String.format("%-40s %8d %10.1f %8.1f", e.getKey(), n, ns / 1e6,
                            shapeFlops.get(e.getKey()) * n / ns));
                });
        return lines;
    }

    /** One line per kernel, the most expensive first: name, calls, total ms, share of the total. */
    public List<String> report() {
        double total = nanos.values().stream().mapToLong(LongAdder::sum).sum();
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-22s %8s %10s %6s", "kernel", "calls", "ms", "share"));
        nanos.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                .forEach(e -> lines.add(String.format("%-22s %8d %10.1f %5.1f%%", e.getKey(),
                        calls.get(e.getKey()).sum(), e.getValue().sum() / 1e6, 100 * e.getValue().sum() / total)));
        return lines;
    }

    /** Forgets everything measured so far (e.g. after warm-up). */
    public void reset() {
        nanos.clear();
        calls.clear();
        shapeNanos.clear();
        shapeCalls.clear();
    }
}
