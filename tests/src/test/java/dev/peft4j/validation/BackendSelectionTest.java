package dev.peft4j.validation;

import static dev.peft4j.validation.Rejections.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.BackendUnavailableException;
import dev.peft4j.backend.Backends;
import dev.peft4j.backend.ValidatingBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Choosing a backend by name and by -Dpeft4j.backend. */
class BackendSelectionTest {
    private String saved;

    @BeforeEach
    void saveProperty() {
        saved = System.getProperty(Backends.PROPERTY);
    }

    @AfterEach
    void restoreProperty() {
        if (saved == null) {
            System.clearProperty(Backends.PROPERTY);
        } else {
            System.setProperty(Backends.PROPERTY, saved);
        }
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        rejects(BackendUnavailableException.class, () -> Backends.create("tpu"), "tpu", "known", "reference");
    }

    @Test
    void theNamedBackendIsHandedOutBehindValidation() {
        try (Backend b = Backends.create("reference")) {
            assertEquals("reference", b.name());
            assertInstanceOf(ValidatingBackend.class, b);
        }
    }

    @Test
    void thePropertyForcesABackend() {
        System.setProperty(Backends.PROPERTY, "reference");
        try (Backend b = Backends.create()) {
            assertEquals("reference", b.name());
            assertInstanceOf(ValidatingBackend.class, b);
        }
    }

    @Test
    void aForcedUnknownBackendFailsRatherThanFallingBack() {
        System.setProperty(Backends.PROPERTY, "nonesuch");
        rejects(BackendUnavailableException.class, Backends::create, "nonesuch", "reference");
    }

    @Test
    void withoutThePropertyTheBestAvailableBackendIsChosen() {
        System.clearProperty(Backends.PROPERTY);
        String best = Backends.providers().stream().filter(p -> p.availability().available()).findFirst()
                .orElseThrow().name();
        try (Backend b = Backends.create()) {
            assertEquals(best, b.name());
        }
    }
}
