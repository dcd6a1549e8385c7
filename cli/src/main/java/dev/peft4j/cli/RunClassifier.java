package dev.peft4j.cli;

import dev.peft4j.adapter.ClassifierInfo;
import dev.peft4j.backend.Backend;
import dev.peft4j.text.BaseModel;
import dev.peft4j.text.TextClassifier;
import java.io.IOException;
import java.nio.file.Path;

/** The {@link TextClassifier} of a finetune run folder: its adapter, with the base model and labels of its run.json. */
final class RunClassifier {
    private RunClassifier() {}

    static TextClassifier open(Path run, RunInfo info, Backend be) throws IOException {
        return TextClassifier.builder(run.resolve(RunInfo.ADAPTER_DIR))
                .baseModel(info.base())
                .classifierInfo(new ClassifierInfo(info.labels(), info.maxLength()))
                .backend(be)
                .build();
    }
}
