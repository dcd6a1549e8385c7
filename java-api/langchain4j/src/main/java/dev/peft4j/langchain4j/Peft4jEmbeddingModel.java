package dev.peft4j.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.peft4j.backend.Backend;
import dev.peft4j.text.BaseModel;
import dev.peft4j.text.EncodedTexts;
import dev.peft4j.text.LongTextPolicy;
import dev.peft4j.text.TextEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A langchain4j {@link EmbeddingModel} run by peft4j: a pretrained encoder ({@link BaseModel}), optionally with a
 * PEFT adapter (a LoRA-tuned MiniLM, say), on peft4j's fastest backend. Without an adapter it gives the same
 * vectors as langchain4j's in-process model of the same base (long texts split and averaged the same way), and the
 * same token counts. Thread-safe; close it to stop its worker and free the model.
 *
 * <pre>{@code
 * EmbeddingModel model = Peft4jEmbeddingModel.builder()
 *         .baseModel(BaseModel.miniLm())
 *         .adapter(Path.of("runs/finetune/adapter"))
 *         .build();
 * Embedding e = model.embed("a review to index").content();
 * }</pre>
 */
public final class Peft4jEmbeddingModel implements EmbeddingModel, AutoCloseable {
    private final TextEncoder encoder;
    private final String modelName;

    private Peft4jEmbeddingModel(TextEncoder encoder, String modelName) {
        this.encoder = encoder;
        this.modelName = modelName;
    }

    /** A builder; the base model defaults to all-MiniLM-L6-v2. */
    public static Builder builder() {
        return new Builder();
    }

    /** Embeds every segment's text; the token usage counts every segment's word pieces (without [CLS] and [SEP]). */
    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        Objects.requireNonNull(segments, "segments");
        List<String> texts = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            TextSegment s = segments.get(i);
            if (s == null) {
                throw new IllegalArgumentException("text segment " + i + " is null");
            }
            texts.add(s.text());
        }
        EncodedTexts encoded = encoder.embedWithCounts(texts);
        List<Embedding> embeddings = new ArrayList<>(texts.size());
        for (float[] v : encoded.vectors()) {
            embeddings.add(Embedding.from(v));
        }
        return Response.from(embeddings, new TokenUsage(Math.toIntExact(encoded.totalTokens())));
    }

    /** The embedding length (384 for MiniLM and bge-small), without embedding anything. */
    @Override
    public int dimension() {
        return encoder.dimension();
    }

    /** The base model's name, and the adapter folder's name when there is one. */
    @Override
    public String modelName() {
        return modelName;
    }

    /** Stops the encoder's worker and frees the model (and the backend, if the model made it). */
    @Override
    public void close() {
        encoder.close();
    }

    /** Options of a {@link Peft4jEmbeddingModel}. */
    public static final class Builder {
        private BaseModel baseModel = BaseModel.miniLm();
        private Path adapter;
        private boolean mergeLora;
        private Backend backend;
        private LongTextPolicy longText = LongTextPolicy.TOKENIZER;

        private Builder() {}

        /** The pretrained encoder. Default {@link BaseModel#miniLm()}. */
        public Builder baseModel(BaseModel base) {
            this.baseModel = Objects.requireNonNull(base, "base");
            return this;
        }

        /** An adapter folder (peft4j's or Hugging Face peft's). Default none. */
        public Builder adapter(Path dir) {
            this.adapter = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Fold the adapter's LoRA into the base weights: the same vectors at the base model's cost. Default false. */
        public Builder mergeLora(boolean merge) {
            this.mergeLora = merge;
            return this;
        }

        /** The backend to run on (the caller closes it). Default: the best available, owned by the model. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** How texts are fitted to the model. Default {@link LongTextPolicy#TOKENIZER}, as langchain4j's own models do. */
        public Builder longText(LongTextPolicy policy) {
            this.longText = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Loads the model; an unreadable model or adapter fails here, naming the file. */
        public Peft4jEmbeddingModel build() {
            TextEncoder.Builder b = TextEncoder.builder(baseModel).mergeLora(mergeLora).longText(longText);
            if (adapter != null) {
                b.adapter(adapter);
            }
            if (backend != null) {
                b.backend(backend);
            }
            try {
                String name = baseModel.name() + (adapter == null ? "" : " + " + adapter.getFileName());
                return new Peft4jEmbeddingModel(b.build(), name);
            } catch (IOException e) {
                throw new UncheckedIOException("could not load " + baseModel + (adapter == null ? "" : " with adapter "
                        + adapter) + ": " + e.getMessage(), e);
            }
        }
    }
}
