package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * BERT embeddings: e = LN(word[ids] + position[t] + tokenType[types]), then dropout. Output {@code [N, d]}.
 * The backward feeds LN's parameters and, when a table is trainable, scatters into it.
 */
final class Embeddings implements AutoCloseable {
    final Parameter word;
    final Parameter position;
    final Parameter tokenType;
    final LayerNorm norm;
    private final float dropout;
    private final Backend be;
    private final Buffers buf;
    private int[] ids;
    private int[] positions;
    private int[] types;
    private boolean dropped;

    Embeddings(Backend be, Parameter word, Parameter position, Parameter tokenType, LayerNorm norm, float dropout) {
        this.be = be;
        this.word = word;
        this.position = position;
        this.tokenType = tokenType;
        this.norm = norm;
        this.dropout = dropout;
        this.buf = new Buffers(be);
    }

    int maxPositions() {
        return position.value().dim(0);
    }

    Tensor forward(int[] ids, int[] types, Pass pass) {
        int n = ids.length;
        int d = word.value().dim(1);
        this.ids = ids;
        this.types = types;
        this.positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = i % pass.seqLen();
        }
        Tensor sum = buf.get("sum", n, d);
        Tensor part = buf.get("part", n, d);
        be.embeddingForward(word.value(), ids, sum);
        be.embeddingForward(position.value(), positions, part);
        be.add(sum, part, sum);
        if (tokenType != null) {
            be.embeddingForward(tokenType.value(), types, part);
            be.add(sum, part, sum);
        }
        Tensor e = norm.forward(sum);
        dropped = pass.training() && dropout > 0;
        if (dropped) {
            be.dropoutForward(e, dropout, pass.siteSeed(-1, 0), e, buf.get("mask", n, d));
        }
        return e;
    }

    /** Whether any parameter here is trainable, i.e. whether the backward has anything to do. */
    boolean needsBackward() {
        return norm.gamma.trainable() || norm.beta.trainable() || word.trainable() || position.trainable()
                || (tokenType != null && tokenType.trainable());
    }

    void backward(Tensor de) {
        if (dropped) {
            be.mul(de, buf.get("mask", de.shape()), de);
        }
        Tensor dsum = norm.backward(de);
        if (word.trainable()) {
            be.embeddingBackward(dsum, ids, word.grad());
        }
        if (position.trainable()) {
            be.embeddingBackward(dsum, positions, position.grad());
        }
        if (tokenType != null && tokenType.trainable()) {
            be.embeddingBackward(dsum, types, tokenType.grad());
        }
    }

    void collect(List<Parameter> out) {
        out.add(word);
        out.add(position);
        if (tokenType != null) {
            out.add(tokenType);
        }
        norm.collect(out);
    }

    @Override
    public void close() {
        buf.close();
        norm.close();
    }
}
