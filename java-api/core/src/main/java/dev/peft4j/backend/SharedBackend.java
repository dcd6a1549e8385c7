package dev.peft4j.backend;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The reference-counted backend behind {@link Backends#shared()}: one backend at a time, made by the factory when the
 * first handle is acquired and closed when the last handle is released. Each handle is a {@link Backend} that
 * forwards to the shared one until it is closed; its first close releases it, a second does nothing, and any other
 * call after that fails with {@link IllegalStateException}. Acquire and release are serialised by one lock, so the
 * backend is created and closed exactly once per generation however many threads race.
 */
final class SharedBackend {
    private final Supplier<Backend> factory;
    private final Object lock = new Object();
    private Backend current;
    private int handles;

    SharedBackend(Supplier<Backend> factory) {
        this.factory = factory;
    }

    /** A new handle on the shared backend, creating it if no handle is open. */
    Backend acquire() {
        synchronized (lock) {
            if (current == null) {
                current = factory.get();
            }
            handles++;
            return handle(current);
        }
    }

    /** Handles acquired and not yet closed. */
    int openHandles() {
        synchronized (lock) {
            return handles;
        }
    }

    private void release(Backend backend) {
        Backend toClose = null;
        synchronized (lock) {
            if (current != backend || handles <= 0) {
                throw new IllegalStateException("released a shared backend handle twice (internal error)");
            }
            if (--handles == 0) {
                toClose = current;
                current = null;
            }
            if (toClose != null) {
                toClose.close();
            }
        }
    }

    private Backend handle(Backend backend) {
        AtomicBoolean closed = new AtomicBoolean();
        InvocationHandler h = (proxy, method, args) -> invoke(backend, closed, proxy, method, args);
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    private Object invoke(Backend backend, AtomicBoolean closed, Object proxy, Method method, Object[] args)
            throws Throwable {
        switch (method.getName()) {
            case "close" -> {
                if (method.getParameterCount() == 0 && closed.compareAndSet(false, true)) {
                    release(backend);
                }
                return null;
            }
            case "equals" -> {
                if (method.getParameterCount() == 1 && method.getDeclaringClass() == Object.class) {
                    return proxy == args[0];
                }
            }
            case "hashCode" -> {
                if (method.getParameterCount() == 0) {
                    return System.identityHashCode(proxy);
                }
            }
            case "toString" -> {
                if (method.getParameterCount() == 0) {
                    return "shared peft4j backend handle (" + backend.name() + (closed.get() ? ", closed)" : ")");
                }
            }
            default -> { }
        }
        if (closed.get()) {
            throw new IllegalStateException("this handle from Backends.shared() was closed, so " + method.getName()
                    + " cannot run through it: call Backends.shared() again for a new handle");
        }
        try {
            return method.invoke(backend, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
