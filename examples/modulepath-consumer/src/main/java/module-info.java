/** A consumer on the module path: dev.peft4j.cpu brings dev.peft4j.core and jdk.incubator.vector with it. */
module example.modulepath {
    requires dev.peft4j.cpu;
}
