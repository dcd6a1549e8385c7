package dev.peft4j.io.onnx;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Writes the ONNX seed of the committed fuzz corpus; runs only with {@code -Dfuzz.writeCorpus} (see FuzzCorpusWriter). */
class OnnxCorpusWriter {
    @Test
    void writeCorpus() throws Exception {
        String target = System.getProperty("fuzz.writeCorpus");
        assumeTrue(target != null, "set -Dfuzz.writeCorpus=<src/test/resources> to rewrite the fuzz corpus");
        Path dir = Files.createDirectories(Path.of(target, "fuzz", "onnx"));
        Files.write(dir.resolve("tiny-bert.onnx"), OnnxFuzzTest.seedModel());
    }
}
