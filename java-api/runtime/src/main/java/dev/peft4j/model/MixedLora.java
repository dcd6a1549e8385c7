package dev.peft4j.model;

import dev.peft4j.tensor.Tensor;

/**
 * The LoRA weights of several adapters on one linear layer, stacked for {@code Backend.loraMixedForward}:
 * A {@code [k,r,in]}, B {@code [k,out,r]} (r = the largest rank; smaller ones zero-padded, an adapter that leaves
 * this layer alone all zero), scales {@code [k]}, and the shared per-row adapter choice of the current batch.
 */
final class MixedLora implements AutoCloseable {
    final Tensor a;
    final Tensor b;
    final Tensor scales;
    final RowAdapters rows;

    MixedLora(Tensor a, Tensor b, Tensor scales, RowAdapters rows) {
        this.a = a;
        this.b = b;
        this.scales = scales;
        this.rows = rows;
    }

    @Override
    public void close() {
        a.close();
        b.close();
        scales.close();
    }

    /** Which adapter each row of the current batch uses (one array shared by every layer of a model). */
    static final class RowAdapters {
        private int[] adapterOfRow = new int[0];

        void set(int[] adapterOfRow) {
            this.adapterOfRow = adapterOfRow;
        }

        /** The choice for the {@code n} rows a layer sees; they must be the batch's rows. */
        int[] forRows(int n) {
            if (adapterOfRow.length != n) {
                throw new IllegalStateException("the batch's adapter choice covers " + adapterOfRow.length
                        + " rows but a layer got " + n);
            }
            return adapterOfRow;
        }
    }
}
