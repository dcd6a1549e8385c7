package dev.peft4j.cli;

import dev.peft4j.backend.Backend;
import dev.peft4j.io.onnx.BertOnnxWeights;
import dev.peft4j.io.onnx.OnnxWeights;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Pooling;
import dev.peft4j.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** The pretrained encoders the CLI knows by name, read from the langchain4j embedding jars on the class path. */
enum BaseModel {
    MINILM("all-MiniLM-L6-v2", OnnxWeights.MINILM_L6_V2_ONNX, OnnxWeights.MINILM_L6_V2_TOKENIZER, Pooling.MEAN),
    BGE_SMALL("bge-small-en-v1.5", OnnxWeights.BGE_SMALL_EN_V15_ONNX, OnnxWeights.BGE_SMALL_EN_V15_TOKENIZER, Pooling.CLS);

    final String displayName;
    private final String onnxResource;
    private final String tokenizerResource;
    final Pooling pooling;

    BaseModel(String displayName, String onnxResource, String tokenizerResource, Pooling pooling) {
        this.displayName = displayName;
        this.onnxResource = onnxResource;
        this.tokenizerResource = tokenizerResource;
        this.pooling = pooling;
    }

    static BaseModel parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "minilm", "all-minilm-l6-v2" -> MINILM;
            case "bge-small", "bge-small-en-v1.5" -> BGE_SMALL;
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; known: minilm, bge-small");
        };
    }

    BertOnnxWeights weights() throws IOException {
        return OnnxWeights.loadBertResource(onnxResource, BaseModel.class.getClassLoader());
    }

    BertModel load(Backend be, float dropout) throws IOException {
        return BertModel.fromOnnx(be, weights(), pooling, dropout);
    }

    WordPieceTokenizer tokenizer() throws IOException {
        try (InputStream in = OnnxWeights.openResource(tokenizerResource, BaseModel.class.getClassLoader())) {
            return WordPieceTokenizer.fromJson(in);
        }
    }
}
