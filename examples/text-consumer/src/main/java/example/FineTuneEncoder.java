package example;

import dev.peft4j.text.BaseModel;
import dev.peft4j.text.FineTune;
import dev.peft4j.text.FineTuneResult;
import dev.peft4j.text.TextPair;
import java.nio.file.Path;
import java.util.List;

/** README.md's embedding fine-tune example: LoRA-tunes MiniLM's embeddings on text pairs, for TextEncoder. */
public final class FineTuneEncoder {
    public static void main(String[] args) throws Exception {
        // README begin
        List<TextPair> pairs = List.of(new TextPair("cheap hotel near the station", "a budget room by the trains"),
                new TextPair("the flight was delayed", "we waited six hours at the gate"),
                new TextPair("a wonderful, moving film", "I cried at the end, what a story"),
                new TextPair("the soup was cold", "our starter arrived lukewarm"));   // (anchor, positive)
        FineTuneResult r = FineTune.embedding(BaseModel.miniLm(), pairs)  // or (base, labelledTexts, pairCount)
                .method("lora").epochs(2).batchSize(2).maxLength(32)          // in-batch negatives, τ = 0.05
                .saveTo(Path.of("my-encoder"))                                // TextEncoder's .adapter(...)
                .build().run();
        // README end
        System.out.printf("%d steps, loss %.4f → %.4f%n", r.training().steps(), r.training().losses()[0],
                r.training().losses()[r.training().losses().length - 1]);
    }
}
