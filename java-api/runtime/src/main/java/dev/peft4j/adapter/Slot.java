package dev.peft4j.adapter;

import dev.peft4j.io.TensorData;
import java.util.Arrays;
import java.util.List;

/**
 * One tensor of an adapter file and the model parameters it holds: {@link #encode} builds the file tensor from
 * the parameters, {@link #decode} writes a (shape-checked) file tensor back into them. Errors name the key.
 */
sealed interface Slot {
    String key();

    int[] shape();

    /** The parameter names this slot covers. */
    List<String> params();

    TensorData encode(AdapterModel m);

    /** Copies t (whose shape the caller has checked against {@link #shape()}) into the parameters. */
    void decode(TensorData t, AdapterModel m, String file) throws AdapterFormatException;

    static float[] get(AdapterModel m, String name) {
        return m.parameter(name).value().toArray();
    }

    static void set(AdapterModel m, String name, float[] v) {
        m.parameter(name).value().copyFrom(v);
    }

    /** A parameter stored as it is, possibly reshaped (an (IA)³ vector {@code [d]} as peft's {@code [d,1]} or {@code [1,f]}). */
    record Direct(String key, String param, int[] shape) implements Slot {
        public List<String> params() {
            return List.of(param);
        }

        public TensorData encode(AdapterModel m) {
            return new TensorData(shape, get(m, param));
        }

        public void decode(TensorData t, AdapterModel m, String file) {
            set(m, param, t.data());
        }
    }

    /**
     * GPT-2 c_attn LoRA A in peft4j's block layout: the A {@code [r,d]} of each present target (q, k, v order)
     * stacked into {@code [n·r, d]}.
     */
    record StackedA(String key, List<String> aNames, int r, int d) implements Slot {
        public int[] shape() {
            return new int[] {aNames.size() * r, d};
        }

        public List<String> params() {
            return aNames;
        }

        public TensorData encode(AdapterModel m) {
            float[] out = new float[aNames.size() * r * d];
            for (int j = 0; j < aNames.size(); j++) {
                System.arraycopy(get(m, aNames.get(j)), 0, out, j * r * d, r * d);
            }
            return new TensorData(shape(), out);
        }

        public void decode(TensorData t, AdapterModel m, String file) {
            for (int j = 0; j < aNames.size(); j++) {
                set(m, aNames.get(j), Arrays.copyOfRange(t.data(), j * r * d, (j + 1) * r * d));
            }
        }
    }

    /**
     * GPT-2 c_attn LoRA B in peft4j's block layout: {@code [3d, n·r]}, block-diagonal, with B_j {@code [d,r]} of
     * the j-th present target at rows {@code part·d ..} and columns {@code j·r ..}; all other entries are zero,
     * so B·A = [B_q A_q; B_k A_k; B_v A_v] (a missing target's rows are zero).
     */
    record BlockDiagonalB(String key, List<String> bNames, int[] parts, int r, int d) implements Slot {
        public int[] shape() {
            return new int[] {3 * d, bNames.size() * r};
        }

        public List<String> params() {
            return bNames;
        }

        public TensorData encode(AdapterModel m) {
            int cols = bNames.size() * r;
            float[] out = new float[3 * d * cols];
            for (int j = 0; j < bNames.size(); j++) {
                float[] b = get(m, bNames.get(j));
                for (int o = 0; o < d; o++) {
                    System.arraycopy(b, o * r, out, (parts[j] * d + o) * cols + j * r, r);
                }
            }
            return new TensorData(shape(), out);
        }

        public void decode(TensorData t, AdapterModel m, String file) throws AdapterFormatException {
            int cols = bNames.size() * r;
            float[] rest = t.data().clone();
            for (int j = 0; j < bNames.size(); j++) {
                float[] b = new float[d * r];
                for (int o = 0; o < d; o++) {
                    int at = (parts[j] * d + o) * cols + j * r;
                    System.arraycopy(rest, at, b, o * r, r);
                    Arrays.fill(rest, at, at + r, 0f);
                }
                set(m, bNames.get(j), b);
            }
            for (int i = 0; i < rest.length; i++) {
                if (rest[i] != 0f) {
                    throw new AdapterFormatException(file + ": key '" + key + "': entry [" + i / cols + ", " + i % cols
                            + "] = " + rest[i] + " lies off peft4j's block-diagonal c_attn layout that the config's "
                            + "peft4j plan announces");
                }
            }
        }
    }

    /**
     * A peft LoRA on GPT-2's c_attn as peft trains it: one A {@code [R,d]} shared by q, k and v, B {@code [3d,R]}.
     * Since B·A = [B[0:d]·A; B[d:2d]·A; B[2d:3d]·A], query, key and value each get a copy of A and their row block
     * of B: the forward is exact. (Training then updates the three copies separately.)
     */
    record SharedA(String key, List<String> aNames, int r, int d) implements Slot {
        public int[] shape() {
            return new int[] {r, d};
        }

        public List<String> params() {
            return aNames;
        }

        public TensorData encode(AdapterModel m) {
            throw new UnsupportedOperationException("peft4j writes c_attn LoRA in its block layout");
        }

        public void decode(TensorData t, AdapterModel m, String file) {
            for (String a : aNames) {
                set(m, a, t.data());
            }
        }
    }

    /** The B of {@link SharedA}: rows [j·d, (j+1)·d) of {@code [3d,R]} go to q, k, v. */
    record RowSplitB(String key, List<String> bNames, int r, int d) implements Slot {
        public int[] shape() {
            return new int[] {3 * d, r};
        }

        public List<String> params() {
            return bNames;
        }

        public TensorData encode(AdapterModel m) {
            throw new UnsupportedOperationException("peft4j writes c_attn LoRA in its block layout");
        }

        public void decode(TensorData t, AdapterModel m, String file) {
            for (int j = 0; j < 3; j++) {
                set(m, bNames.get(j), Arrays.copyOfRange(t.data(), j * d * r, (j + 1) * d * r));
            }
        }
    }

    /**
     * (IA)³ on GPT-2's c_attn: peft scales all of c_attn's output, {@code [3d,1]}; ours scales keys and values only,
     * so the query third is written as ones and must be ones when read.
     */
    record CAttnIa3(String key, String kName, String vName, int d) implements Slot {
        public int[] shape() {
            return new int[] {3 * d, 1};
        }

        public List<String> params() {
            return List.of(kName, vName);
        }

        public TensorData encode(AdapterModel m) {
            float[] out = new float[3 * d];
            Arrays.fill(out, 0, d, 1f);
            System.arraycopy(get(m, kName), 0, out, d, d);
            System.arraycopy(get(m, vName), 0, out, 2 * d, d);
            return new TensorData(shape(), out);
        }

        public void decode(TensorData t, AdapterModel m, String file) throws AdapterFormatException {
            for (int i = 0; i < d; i++) {
                if (t.data()[i] != 1f) {
                    throw new AdapterFormatException(file + ": key '" + key + "': query scale [" + i + "] = " + t.data()[i]
                            + "; peft4j's (IA)³ scales keys and values only, so the query third must be 1");
                }
            }
            set(m, kName, Arrays.copyOfRange(t.data(), d, 2 * d));
            set(m, vName, Arrays.copyOfRange(t.data(), 2 * d, 3 * d));
        }
    }

    /**
     * peft's prefix-tuning tensor "prompt_embeddings" {@code [L, layers·2·d]}: peft views it as
     * {@code [L, layers·2, heads, d/heads]} and splits the second axis into (key, value) pairs per layer, so
     * columns {@code [(2i)·d, (2i+1)·d)} are layer i's P_k and {@code [(2i+1)·d, (2i+2)·d)} its P_v, each row
     * head-major exactly as our {@code [L, d]}.
     */
    record PromptEmbeddings(String key, List<String> kNames, List<String> vNames, int length, int d) implements Slot {
        public int[] shape() {
            return new int[] {length, kNames.size() * 2 * d};
        }

        public List<String> params() {
            List<String> all = new java.util.ArrayList<>(kNames);
            all.addAll(vNames);
            return all;
        }

        public TensorData encode(AdapterModel m) {
            int cols = kNames.size() * 2 * d;
            float[] out = new float[length * cols];
            for (int i = 0; i < kNames.size(); i++) {
                float[] k = get(m, kNames.get(i));
                float[] v = get(m, vNames.get(i));
                for (int l = 0; l < length; l++) {
                    System.arraycopy(k, l * d, out, l * cols + 2 * i * d, d);
                    System.arraycopy(v, l * d, out, l * cols + (2 * i + 1) * d, d);
                }
            }
            return new TensorData(shape(), out);
        }

        public void decode(TensorData t, AdapterModel m, String file) {
            int cols = kNames.size() * 2 * d;
            for (int i = 0; i < kNames.size(); i++) {
                float[] k = new float[length * d];
                float[] v = new float[length * d];
                for (int l = 0; l < length; l++) {
                    System.arraycopy(t.data(), l * cols + 2 * i * d, k, l * d, d);
                    System.arraycopy(t.data(), l * cols + (2 * i + 1) * d, v, l * d, d);
                }
                set(m, kNames.get(i), k);
                set(m, vNames.get(i), v);
            }
        }
    }
}
