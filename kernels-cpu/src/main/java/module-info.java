/**
 * The Vector-API CPU backend ({@code -Dpeft4j.backend=cpu}). It requires the incubating {@code jdk.incubator.vector}
 * module, so a consumer on the module path needs no {@code --add-modules} flag; on the class path the flag
 * {@code --add-modules jdk.incubator.vector} is still needed.
 */
module dev.peft4j.cpu {
    requires transitive dev.peft4j.core;
    requires jdk.incubator.vector;

    exports dev.peft4j.cpu;

    provides dev.peft4j.backend.BackendProvider with dev.peft4j.cpu.CpuBackendProvider;
}
