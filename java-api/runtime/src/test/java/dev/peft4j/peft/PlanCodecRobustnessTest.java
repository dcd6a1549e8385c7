package dev.peft4j.peft;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plan file with a deeply nested or huge value where a scalar belongs fails with a short message, no overflow. */
class PlanCodecRobustnessTest {
    @Test
    void deeplyNestedValueIsDescribedNotPrinted(@TempDir Path dir) throws Exception {
        String deep = "[".repeat(20_000) + "]".repeat(20_000);
        Path file = dir.resolve("plan.json");
        Files.writeString(file, "{\"format\":\"peft4j-plan\",\"version\":1,\"layers\":[{\"lora\":null,\"attnAdapter\":null,"
                + "\"ffnAdapter\":null,\"parallelAdapter\":null,\"prefix\":null,\"ia3\":" + deep + ",\"bitfit\":false}]}");
        PlanFormatException e = assertThrows(PlanFormatException.class, () -> PlanCodec.read(file));
        assertTrue(e.getMessage().contains("plan.json") && e.getMessage().contains("an array of 1 entries"), e.getMessage());
        assertTrue(e.getMessage().length() < 400, "a short message: " + e.getMessage().length() + " characters");
    }

    /** Found by ReaderFuzzProperties: invalid UTF-8 escaped as a MalformedInputException saying "Input length = 1". */
    @Test
    void invalidUtf8NamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plan.json");
        Files.write(file, new byte[] {(byte) 0xFB, '{', '}'});
        PlanFormatException e = assertThrows(PlanFormatException.class, () -> PlanCodec.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }
}
