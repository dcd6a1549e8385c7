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
        }
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
    }
}
