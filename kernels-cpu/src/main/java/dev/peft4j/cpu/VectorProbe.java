package dev.peft4j.cpu;

import jdk.incubator.vector.FloatVector;

/** Temporary probe that the module compiles against the Vector API. */
final class VectorProbe {
    static int lanes() {
        return FloatVector.SPECIES_PREFERRED.length();
    }
}
