package dev.peft4j.cli;

import dev.peft4j.text.BaseModel;
import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.backend.Backend;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** A fine-tuned classifier rebuilt from a run folder: the base model, then its saved adapter and head. */
final class TrainedClassifier {
    final RunInfo info;
    final BaseModel base;
    final WordPieceTokenizer tokenizer;
    final SequenceClassifier classifier;

    private TrainedClassifier(RunInfo info, BaseModel base, WordPieceTokenizer tokenizer, SequenceClassifier classifier) {
        this.info = info;
        this.base = base;
        this.tokenizer = tokenizer;
        this.classifier = classifier;
    }

    static TrainedClassifier load(Path run, Backend be) throws IOException {
        RunInfo info = RunInfo.read(run);
        BaseModel base = info.base();
        SequenceClassifier c = new SequenceClassifier(base.load(be, 0f), info.labels().size(), info.seed());
        try {
            AdapterIo.load(run.resolve(RunInfo.ADAPTER_DIR), AdapterModel.of(c), info.seed());
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return new TrainedClassifier(info, base, base.tokenizer(), c);
    }
}
