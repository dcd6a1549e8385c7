package dev.peft4j.validation;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** Asserts that a call is rejected with the expected exception type and a message naming what was wrong. */
final class Rejections {
    private Rejections() {}

    static <T extends Throwable> T rejects(Class<T> type, Executable call, String... messageParts) {
        T e = assertThrows(type, call);
        String message = e.getMessage();
        for (String part : messageParts) {
            assertTrue(message != null && message.contains(part),
                    () -> "message should contain '" + part + "' but was: " + message);
        }
        return e;
    }
}
