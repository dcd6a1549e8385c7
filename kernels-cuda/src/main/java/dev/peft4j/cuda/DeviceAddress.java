package dev.peft4j.cuda;

import org.bytedeco.javacpp.Pointer;

/** A raw device address for a native call (a storage's base plus an offset), with position 0. */
final class DeviceAddress extends Pointer {
    DeviceAddress(long address) {
        this.address = address;
    }

    /** {@code base} moved by {@code floats} float32 elements; null stays null. */
    static Pointer plus(Pointer base, long floats) {
        return base == null ? null : new DeviceAddress(base.address() + 4L * floats);
    }
}
