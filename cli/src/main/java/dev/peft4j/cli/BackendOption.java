package dev.peft4j.cli;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import picocli.CommandLine.Option;

/** The {@code --backend} option of the commands that run a model: a backend by name, or the best available one. */
final class BackendOption {
    @Option(names = "--backend", description = "reference, cpu or cuda (default: the best available)")
    String backend;

    /** The named backend, or the best available when none was named; the caller closes it. */
    Backend create() {
        return backend == null ? Backends.create() : Backends.create(backend);
    }
}
