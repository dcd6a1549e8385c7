package dev.peft4j.io.onnx;

import dev.peft4j.io.TensorData;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a BERT encoder read from an ONNX export, under Hugging Face names
 * ({@code embeddings.word_embeddings.weight}, {@code encoder.layer.0.attention.self.query.weight} as
 * {@code [out, in]}, ...), with the dimensions they imply.
 *
 * @param tensors        parameters by Hugging Face name, in graph order
 * @param layers         number of encoder layers
 * @param hidden         hidden size
 * @param heads          attention heads (hidden / head size, the head size read from the score scale √d)
 * @param intermediate   feed-forward size
 * @param vocab          vocabulary size
 * @param maxPositions   rows of the position embedding
 * @param typeVocab      rows of the token-type embedding
 * @param layerNormEps   the ε added to the variance in the embedding LayerNorm
 * @param unmapped       initializers that are not parameters (e.g. the {@code position_ids} buffer)
 */
public record BertOnnxWeights(Map<String, TensorData> tensors, int layers, int hidden, int heads, int intermediate,
                              int vocab, int maxPositions, int typeVocab, float layerNormEps, List<String> unmapped) {

    /** The parameter called {@code name}; throws naming it when absent. */
    public TensorData get(String name) {
        TensorData t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        return t;
    }
}
