package dev.peft4j.backend.reference;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendProvider;

/** Provides the {@link ReferenceBackend}: name "reference", the lowest priority (100), available everywhere. */
public final class ReferenceBackendProvider implements BackendProvider {
    @Override public String name() { return "reference"; }

    @Override public int priority() { return 100; }

    @Override public Availability availability() { return Availability.yes(); }

    @Override public Backend create() { return new ReferenceBackend(); }
}
