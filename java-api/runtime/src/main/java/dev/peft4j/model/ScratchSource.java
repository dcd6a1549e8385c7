package dev.peft4j.model;

/**
 * Where a module takes the {@link ReusedTensor}s of its backward's intermediates from: its own pool
 * ({@link ReusedTensors}), or a slot sequence shared with the other layers of its stack ({@link SharedScratch}).
 */
interface ScratchSource {
    /** The next tensor for this module; distinct from every other tensor this source gave the same module or layer. */
    ReusedTensor next();
}
