package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * BERT embeddings: e = LN(word[ids] + position[offset + t] + tokenType[types]), then dropout. Output {@code [N, d]}.
 * The backward feeds LN's parameters and, when a table is trainable, scatters into it.
 */
final class Embeddings implements AutoCloseable {
    final Parameter word;
    final Parameter position;
    final Parameter tokenType;
    final LayerNorm norm;
    private final float dropout;
    private final Backend be;
    private final ReusedTensors owned;
    private final Saved saved;
    private final ReusedTensor part;  // [N,d], one table's rows before they are added to the sum

    /** What the forward keeps for the backward; the id arrays belong to the caller, the tensors to this module. */
    private static final class Saved {
        int[] ids;                 // [N]
        int[] positions;           // [N], offset + t of each row, kept while N, T and the offset stay the same
        int seqLen;                // the T and offset that positions was built for
        int offset;
        int[] types;               // [N], or null without token types
        boolean dropped;           // whether this pass applied dropout
        final ReusedTensor sum;    // [N,d], the three embeddings' sum (LN's saved input)
        final ReusedTensor mask;   // [N,d], the dropout mask

        Saved(ReusedTensors pool) {
            sum = pool.next();
            mask = pool.next();
        }
    }

    Embeddings(Backend be, Parameter word, Parameter position, Parameter tokenType, LayerNorm norm, float dropout) {
        this.be = be;
        this.word = word;
        this.position = position;
        this.tokenType = tokenType;
        this.norm = norm;
        this.dropout = dropout;
        this.owned = new ReusedTensors(be);
        this.saved = new Saved(owned);
        this.part = owned.next();
    }

    int maxPositions() {
        return position.value().dim(0);
    }

    /**
     * e for ids and types {@code [B·T]}; token t reads position {@code offset + t}. {@code [N,d]}: a packed pass
     * embeds only its real rows.
     */
    Tensor forward(int[] ids, int[] types, Pass pass, int offset) {
        PackedRows packing = pass.packing();
        if (packing != null) {
            ids = packing.pack(ids);
            types = types == null ? null : packing.pack(types);
        }
        int n = ids.length;
        int d = word.value().dim(1);
        int[] positions = saved.positions;
        if (packing != null) {
            positions = packing.positions(offset);
            saved.seqLen = 0; // built for this packing only
        } else if (positions == null || positions.length != n || saved.seqLen != pass.seqLen() || saved.offset != offset) {
            positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = offset + i % pass.seqLen();
            }
            saved.seqLen = pass.seqLen();
            saved.offset = offset;
        }
        saved.ids = ids;
        saved.types = types;
        saved.positions = positions;
        Tensor sum = saved.sum.shaped(n, d);
        Tensor part = this.part.shaped(n, d);
        be.embeddingForward(word.value(), ids, sum);
        be.embeddingForward(position.value(), positions, part);
        be.add(sum, part, sum);
        if (tokenType != null) {
            be.embeddingForward(tokenType.value(), types, part);
            be.add(sum, part, sum);
        }
        Tensor e = norm.forward(sum);
        saved.dropped = pass.training() && dropout > 0;
        if (saved.dropped) {
            be.dropoutForward(e, dropout, pass.siteSeed(-1, 0), e, saved.mask.shaped(n, d));
        }
        return e;
    }

    /** Whether any parameter here is trainable, i.e. whether the backward has anything to do. */
    boolean needsBackward() {
        return norm.gamma.trainable() || norm.beta.trainable() || word.trainable() || position.trainable()
                || (tokenType != null && tokenType.trainable());
    }

    void backward(Tensor de) {
        if (saved.dropped) {
            be.mul(de, saved.mask.saved(), de);
        }
        Tensor dsum = norm.backward(de);
        if (word.trainable()) {
            be.embeddingBackward(dsum, saved.ids, word.grad());
        }
        if (position.trainable()) {
            be.embeddingBackward(dsum, saved.positions, position.grad());
        }
        if (tokenType != null && tokenType.trainable()) {
            be.embeddingBackward(dsum, saved.types, tokenType.grad());
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
        owned.close();
        norm.close();
    }
}
