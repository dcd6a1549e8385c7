package dev.peft4j.tensor;

import java.util.concurrent.atomic.AtomicLong;

/** Counts the bytes every live {@link Storage} holds, per device; tests check it returns to where it started. */
public final class MemoryAccounting {
    private static final AtomicLong[] LIVE = new AtomicLong[Device.values().length];

    static {
        for (int i = 0; i < LIVE.length; i++) {
            LIVE[i] = new AtomicLong();
        }
    }

    private MemoryAccounting() {}

    public static void allocated(Device device, long bytes) {
        LIVE[device.ordinal()].addAndGet(bytes);
    }

    public static void freed(Device device, long bytes) {
        LIVE[device.ordinal()].addAndGet(-bytes);
    }

    /** Bytes currently held by live storages on {@code device}. */
    public static long liveBytes(Device device) {
        return LIVE[device.ordinal()].get();
    }
}
