package dev.peft4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.peft4j.adapter.AdapterIo;
import dev.peft4j.adapter.AdapterModel;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Parameter;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.text.BaseModel;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The worked example of java-api/langchain4j/README.md, compiled and run. */
class InMemoryStoreExampleTest {
    static final List<String> DOCUMENTS = List.of(
            "The hotel room was spotless and the staff were friendly.",
            "Our flight was delayed by six hours and nobody told us why.",
            "The pasta was overcooked but the dessert made up for it.",
            "Check-in took five minutes and the bed was very comfortable.");

    /** Fills a store with the documents and returns the best match for the query. */
    // README begin: bestMatch
    static String bestMatch(EmbeddingModel model, String query) {
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        for (String doc : DOCUMENTS) {
            TextSegment segment = TextSegment.from(doc);
            store.add(model.embed(segment).content(), segment);
        }
        Embedding q = model.embed(query).content();
        return store.search(EmbeddingSearchRequest.builder().queryEmbedding(q).maxResults(1).build())
                .matches().get(0).embedded().text();
    }
    // README end

    /**
     * The README's search, with a stand-in adapter where a fine-tuning run's would be: the tests run in target/ (the
     * module's surefire configuration), so the README's relative path lands in target/runs/.
     */
    @Test
    void langchain4jsMiniLmThenAPeft4jLoraTunedOne() throws Exception {
        writeLoraAdapter(Path.of("runs/contrastive/adapter"));   // a stand-in for a fine-tuning run's adapter
        // README begin: search
        // langchain4j's own in-process MiniLM (onnxruntime)
        String theirs = bestMatch(new AllMiniLmL6V2EmbeddingModel(), "comfortable hotel with friendly staff");

        // the same base run by peft4j, through the LoRA adapter of a fine-tuning run, folded into the weights
        try (Peft4jEmbeddingModel tuned = Peft4jEmbeddingModel.builder()
                .baseModel(BaseModel.miniLm())
                .adapter(Path.of("runs/contrastive/adapter"))   // peft4j finetune ... --output runs/contrastive
                .mergeLora(true)
                .build()) {
            String ours = bestMatch(tuned, "comfortable hotel with friendly staff");
            System.out.println("langchain4j: " + theirs + "\npeft4j + LoRA: " + ours);
        }
        // README end
        try (Peft4jEmbeddingModel plain = Peft4jEmbeddingModel.builder().build();
             Peft4jEmbeddingModel tuned = Peft4jEmbeddingModel.builder().baseModel(BaseModel.miniLm())
                     .adapter(Path.of("runs/contrastive/adapter")).mergeLora(true).build()) {
            assertEquals(theirs, bestMatch(plain, "comfortable hotel with friendly staff"),
                    "without an adapter peft4j ranks as langchain4j does");
            assertTrue(DOCUMENTS.contains(bestMatch(tuned, "comfortable hotel with friendly staff")));
            assertEquals("all-MiniLM-L6-v2 + adapter", tuned.modelName());
        }
    }

    /** A LoRA adapter (r = 8 on query and value, small random B) in Hugging Face peft's format. */
    static void writeLoraAdapter(Path dir) throws Exception {
        try (Backend be = Backends.create(); BertModel m = BaseModel.miniLm().load(be, 0f)) {
            m.applyPlan(PeftPlan.lora(6, LoraSpec.defaults()), 1);
            SplittableRandom rng = new SplittableRandom(3);
            for (Parameter p : m.trainableParameters()) {
                if (p.name().contains("lora_B")) {
                    float[] v = new float[(int) p.numel()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (rng.nextGaussian() * 0.01);
                    }
                    p.value().copyFrom(v);
                }
            }
            AdapterIo.save(dir, AdapterModel.of(m), "sentence-transformers/all-MiniLM-L6-v2");
        }
    }
}
