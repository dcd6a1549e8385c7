package dev.peft4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corrupt or hand-edited journal: a complete line with a field missing, of the wrong type, or a deeply nested array
 * in place of a number fails with an IllegalStateException naming the file, the line and the field (never a stack
 * overflow, never a value unwrapped from an array); a torn last line is still dropped as the class documents.
 */
class SearchJournalRobustnessTest {
    @TempDir
    Path dir;

    private static final int DEEP = 100_000;

    private static TrialResult ok(String id) {
        return new TrialResult(id, "fp-" + id, TrialResult.Status.OK, 0.75, 1234, 0.0025, null, 1.5);
    }

    private static String line(TrialResult r) {
        return SearchJournal.format(r).toString();
    }

    /** A journal whose first line is good and whose second is {@code ok("t1")} with {@code edit} applied. */
    private Path journalWithEditedSecondLine(Consumer<JsonObject> edit) throws Exception {
        JsonObject second = SearchJournal.format(ok("t1"));
        edit.accept(second);
        return write(line(ok("t0")) + "\n" + second + "\n");
    }

    private Path write(String text) throws Exception {
        Path file = dir.resolve("journal.jsonl");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static String refused(Path file, String... mustContain) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SearchJournal.open(file).close());
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        for (String s : mustContain) {
            assertTrue(m.contains(s), "message lacks '" + s + "': " + m);
        }
        assertTrue(m.length() < 1000, "a short message, got " + m.length() + " characters");
        return m;
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() throws Exception {
        refused(journalWithEditedSecondLine(o -> o.addProperty("params", "1234")), "line 2", "params", "whole number");
        refused(journalWithEditedSecondLine(o -> o.addProperty("params", 12.5)), "line 2", "params", "whole number");
        refused(journalWithEditedSecondLine(o -> o.addProperty("trial", 7)), "line 2", "trial", "expected a string");
        refused(journalWithEditedSecondLine(o -> o.addProperty("seconds", true)), "line 2", "seconds", "expected a number");
        refused(journalWithEditedSecondLine(o -> o.add("fraction", new JsonObject())), "line 2", "fraction", "an object");
        refused(journalWithEditedSecondLine(o -> o.addProperty("status", "MAYBE")), "line 2", "status", "MAYBE");
        refused(journalWithEditedSecondLine(o -> o.addProperty("reason", 3)), "line 2", "reason", "expected a string");
    }

    @Test
    void aNumberWrappedInAnArrayIsRefusedNotUnwrapped() throws Exception {
        // gson's getAsDouble would read [0.5] as 0.5 and getAsLong [[[9]]] as 9
        refused(journalWithEditedSecondLine(o -> o.add("metric", JsonParser.parseString("[0.5]"))),
                "line 2", "metric", "an array of 1 entries");
        refused(journalWithEditedSecondLine(o -> o.add("params", JsonParser.parseString("[[[9]]]"))),
                "line 2", "params", "an array of 1 entries");
    }

    @Test
    void aDeeplyNestedArrayInPlaceOfANumberFailsCleanly() throws Exception {
        String deep = "[".repeat(DEEP) + "1" + "]".repeat(DEEP);
        for (String field : List.of("params", "metric", "seconds")) {
            String second = line(ok("t1")).replaceFirst("\"" + field + "\":[^,}]+", "\"" + field + "\":" + deep);
            assertTrue(second.length() > 2 * DEEP, "the nested array is in the line");
            refused(write(line(ok("t0")) + "\n" + second + "\n"), "line 2", field, "an array of 1 entries");
        }
        // unbalanced: the parser's own message (which holds a path of 100,000 steps) is cut short
        String open = line(ok("t1")).replaceFirst("\"params\":[^,}]+", "\"params\":" + "[".repeat(DEEP));
        refused(write(line(ok("t0")) + "\n" + open + "\n" + line(ok("t2")) + "\n"), "line 2", "not JSON");
        // a whole line of brackets is not an object
        refused(write(deep + "\n"), "line 1", "expected an object");
    }

    @Test
    void aMissingFieldIsNamed() throws Exception {
        for (String field : List.of("trial", "fingerprint", "status", "params", "fraction", "seconds")) {
            refused(journalWithEditedSecondLine(o -> o.remove(field)), "line 2", field + " is missing");
        }
    }

    @Test
    void metricAndReasonMayBeNullOrAbsentAndNonFiniteNumbersRoundTrip() throws Exception {
        JsonObject noOptional = SearchJournal.format(ok("t1"));
        noOptional.remove("metric");
        noOptional.remove("reason");
        TrialResult failed = new TrialResult("t2", "fp-t2", TrialResult.Status.FAILED, Double.NaN, -1, Double.NaN,
                "the runner threw", Double.POSITIVE_INFINITY);
        String failedLine = line(failed);
        assertTrue(failedLine.contains("\"fraction\":NaN"), "gson writes a NaN fraction as a bare literal: " + failedLine);
        Path file = write(line(ok("t0")) + "\n" + noOptional + "\n" + failedLine + "\n");
        try (SearchJournal j = SearchJournal.open(file)) {
            assertEquals(3, j.size());
            TrialResult t1 = j.results().get("t1");
            assertTrue(Double.isNaN(t1.metric()));
            assertNull(t1.reason());
            assertEquals(1234, t1.trainableParameters());
            TrialResult t2 = j.results().get("t2");
            assertEquals(TrialResult.Status.FAILED, t2.status());
            assertTrue(Double.isNaN(t2.parameterFraction()));
            assertEquals(Double.POSITIVE_INFINITY, t2.seconds());
            assertEquals(-1, t2.trainableParameters());
            assertEquals("the runner threw", t2.reason());
        }
    }

    @Test
    void aTornLastLineIsStillDroppedEvenWhenItIsCorrupt() throws Exception {
        String good = line(ok("t0")) + "\n" + line(ok("t1")) + "\n";
        String whole = line(ok("t2"));
        for (String torn : List.of(whole.substring(0, whole.length() / 2), "{\"params\":" + "[".repeat(DEEP), "[[[")) {
            Path file = write(good + torn);
            try (SearchJournal j = SearchJournal.open(file)) {
                assertEquals(2, j.size(), "the torn line is not a trial");
            }
            assertEquals(good, Files.readString(file), "the file is cut back to its last complete line");
        }
        // the same corrupt text followed by a newline is a complete line, and refused
        refused(write(good + "{\"params\":" + "[".repeat(DEEP) + "\n"), "line 3", "not JSON");
    }
}
