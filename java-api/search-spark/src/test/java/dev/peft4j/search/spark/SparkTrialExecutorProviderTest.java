package dev.peft4j.search.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.search.TrialExecutor;
import dev.peft4j.search.TrialExecutorProvider;
import org.junit.jupiter.api.Test;

/** The command line finds the Spark executor by name through ServiceLoader. */
class SparkTrialExecutorProviderTest {
    @Test
    void sparkIsFoundByNameAndUnknownNamesFailWithTheKnownOnes() {
        TrialExecutorProvider p = TrialExecutorProvider.named("Spark");
        assertInstanceOf(SparkTrialExecutorProvider.class, p);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrialExecutorProvider.named("ray"));
        assertTrue(e.getMessage().contains("no trial executor 'ray'") && e.getMessage().contains("[spark]"), e.getMessage());
    }

    @Test
    void withoutAMasterItSaysWhatToPass() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SparkTrialExecutorProvider().open(null, java.util.Map.of(), Tiny.spec(8)));
        assertTrue(e.getMessage().contains("no Spark master"), e.getMessage());
    }

    @Test
    void aLocalMasterRunsTrials() {
        try (TrialExecutor ex = new SparkTrialExecutorProvider().open("local[1]", java.util.Map.of("spark.ui.enabled", "false"), Tiny.spec(16))) {
            assertInstanceOf(SparkTrialExecutor.class, ex);
            assertEquals(Tiny.spec(16).create().setup(), ex.setup());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
