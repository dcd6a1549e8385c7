package example;

import dev.peft4j.text.BaseModel;
import dev.peft4j.text.FineTune;
import dev.peft4j.text.FineTuneEvent;
import dev.peft4j.text.FineTuneResult;
import dev.peft4j.text.TextExample;
import java.nio.file.Path;
import java.util.List;

/** LoRA-tunes MiniLM as a sentiment classifier on a handful of texts and saves the adapter folder. */
public final class FineTuneClassifier {
    public static void main(String[] args) throws Exception {
        List<TextExample> train = List.of(new TextExample("a wonderful, moving film", 1),
                new TextExample("dull and far too long", 0), new TextExample("I loved every minute", 1),
                new TextExample("a waste of two hours", 0));
        FineTuneResult r = FineTune.classifier(BaseModel.miniLm(), train, List.of("negative", "positive"))
                .method("lora").epochs(2).batchSize(2).maxLength(32)
                .saveTo(Path.of(args.length > 0 ? args[0] : "my-classifier"))
                .listener(e -> { if (e instanceof FineTuneEvent.Step s) System.out.printf("step %d loss %.4f%n", s.step(), s.loss()); })
                .build().run();
        System.out.printf("%d steps, %.3f%% of the weights trained%n", r.training().steps(), 100 * r.trainableFraction());
    }
}
