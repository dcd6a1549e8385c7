package dev.peft4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Choosing with options, and the report; core alone has only the reference provider. */
class BackendsTest {
    @Test
    void createWithOptionsHandsOutTheNamedBackendBehindValidation() {
        try (Backend b = Backends.create("REFERENCE", BackendOptions.defaults().withThreads(2))) {
            assertEquals("reference", b.name());
            assertInstanceOf(ValidatingBackend.class, b);
        }
        try (Backend b = Backends.create(BackendOptions.defaults().withBackend("reference"))) {
            assertEquals("reference", b.name());
        }
    }

    @Test
    void anUnknownNameInTheOptionsFailsListingTheKnownOnes() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Backends.create(BackendOptions.defaults().withBackend("tpu")));
        assertTrue(e.getMessage().contains("unknown peft4j backend 'tpu'") && e.getMessage().contains("reference"),
                e.getMessage());
    }

    @Test
    void nullArgumentsAreRejectedWithWhatToPassInstead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create((BackendOptions) null));
        assertTrue(e.getMessage().contains("BackendOptions.defaults()"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backends.create(null, BackendOptions.defaults()));
        assertTrue(e.getMessage().contains("name is null"), e.getMessage());
    }

    @Test
    void theReportListsEveryProviderAndTheChoice() {
        BackendReport r = Backends.report(BackendOptions.defaults().withBackend("reference"));
        assertEquals(Backends.providers().size(), r.entries().size());
        assertTrue(r.entry("reference").orElseThrow().availability().available());
        assertEquals("reference", r.chosen());
        assertEquals("reference", r.forced());
        assertTrue(r.toString().startsWith("peft4j backends: ") && r.toString().contains("reference available")
                && r.toString().endsWith("create() chooses reference (asked for by name)"), r.toString());
        assertTrue(!r.toString().contains("\n"), "one log line");
    }

    @Test
    void theReportOfAnUnknownForcedBackendSaysCreateFails() {
        BackendReport r = Backends.report(BackendOptions.defaults().withBackend("nonesuch"));
        assertNull(r.chosen());
        assertTrue(r.chosenEntry().isEmpty());
        assertTrue(r.toString().endsWith("create() fails (asked for 'nonesuch', which cannot run)"), r.toString());
    }

    @Test
    void availabilityStatesAreConsistent() {
        assertEquals("available", Availability.yes().toString());
        assertEquals("unavailable: no device", Availability.no("no device").toString());
        Availability d = Availability.degraded("scalar loops");
        assertTrue(d.available() && d.degraded());
        assertEquals("available, degraded: scalar loops", d.toString());
        assertThrows(IllegalArgumentException.class, () -> new Availability(false, "x", true));
        assertEquals("unavailable: (no reason given)", Availability.no(null).toString());
    }
}
