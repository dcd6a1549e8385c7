package example;

import dev.peft4j.text.BaseModel;
import dev.peft4j.text.FineTune;
import dev.peft4j.text.FineTuneEvent;
import dev.peft4j.text.FineTuneResult;
import dev.peft4j.text.TextExample;
import java.nio.file.Path;
import java.util.List;

/** README.md's fine-tune example: LoRA-tunes MiniLM as a sentiment classifier and saves the adapter folder. */
public final class FineTuneClassifier {
    public static void main(String[] args) throws Exception {
        // README begin
        List<TextExample> train = List.of(new TextExample("a wonderful, moving film", 1),
                new TextExample("dull and far too long", 0), new TextExample("I loved every minute", 1),
                new TextExample("a waste of two hours", 0));                  // (text, label index)
        FineTuneResult r = FineTune.classifier(BaseModel.miniLm(), train, List.of("negative", "positive"))
                .method("lora").epochs(10).batchSize(2).maxLength(32)         // or .plan(plan); .validation(heldOut)
                .saveTo(Path.of("my-classifier"))                             // a folder TextClassifier loads alone
                .listener(e -> { if (e instanceof FineTuneEvent.Step s) System.out.println("loss " + s.loss()); })
                .build().run();                                               // or .start(executor); cancel() stops it
        // README end
        System.out.printf("%d steps, %.3f%% of the weights trained%n", r.training().steps(), 100 * r.trainableFraction());
    }
}
