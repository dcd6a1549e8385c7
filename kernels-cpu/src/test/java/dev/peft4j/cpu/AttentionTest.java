package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttentionTest extends KernelTestBase {

    @ParameterizedTest(name = "B={0} T={1} H={2} dh={3} L={4} mask={5} causal={6}")
    @CsvSource({"1,1,1,1,0,false,false", "2,7,3,8,1,true,false", "2,13,2,32,30,true,true", "1,127,2,16,0,false,true",
        "3,9,4,5,30,false,false", "2,70,1,33,1,true,true",
        // several query blocks (32) and key blocks (64), prefix across a block edge, dh of 2 and 4 vectors
        "2,100,2,32,30,true,false", "1,130,2,64,30,false,true", "3,65,3,32,0,true,true",
        // several heads per task (groups of 4, 3, 2 heads), dh not a vector multiple
        "3,20,12,8,7,true,true", "4,33,6,16,0,true,false", "5,17,4,24,3,false,true",
        // more than 256 keys: two key chunks, online-softmax rescaling, causal with prefix across chunks
        "1,300,2,16,30,true,true", "1,300,2,16,0,false,false"})
    void forwardAndBackwardMatchReference(int b, int t, int h, int dh, int prefix, boolean withMask, boolean causal) {
        int d = h * dh;
        Tensor q = rnd.uniform(b, t, d), k = rnd.uniform(b, t, d), v = rnd.uniform(b, t, d);
        Tensor pk = prefix == 0 ? null : rnd.uniform(prefix, d);
        Tensor pv = prefix == 0 ? null : rnd.uniform(prefix, d);
        Tensor mask = null;
        if (withMask) {
            float[] m = rnd.binary(0.7, b, t).toArray();
            m[0] = 1f;
            if (prefix == 0 && b > 1) {
                for (int j = 0; j < t; j++) {
                    m[t + j] = 0f; // a whole sequence masked: queries see no key when there is no prefix
                }
            }
            mask = Tensor.of(m, b, t);
        }
        Tensor out = poisoned(b, t, d), lse = poisoned(b, h, t);
        Tensor outR = zeros(b, t, d), lseR = zeros(b, h, t);
        CPU.attentionForward(new AttentionInputs(q, k, v, pk, pv, mask, causal, h), out, lse);
        REF.attentionForward(new AttentionInputs(q, k, v, pk, pv, mask, causal, h), outR, lseR);
        close("attention out", out, outR);
        assertLseEqual(lse, lseR);

        Tensor dOut = rnd.uniform(b, t, d);
        Tensor dq = poisoned(b, t, d), dk = poisoned(b, t, d), dv = poisoned(b, t, d);
        Tensor dqR = zeros(b, t, d), dkR = zeros(b, t, d), dvR = zeros(b, t, d);
        Tensor dpk = prefix == 0 ? null : poisoned(prefix, d), dpv = prefix == 0 ? null : poisoned(prefix, d);
        Tensor dpkR = prefix == 0 ? null : zeros(prefix, d), dpvR = prefix == 0 ? null : zeros(prefix, d);
        CPU.attentionBackward(dOut, new AttentionInputs(q, k, v, pk, pv, mask, causal, h), outR, lseR, AttentionGradients.none().withDq(dq).withDk(dk).withDv(dv).withPrefixGradients(dpk, dpv));
        REF.attentionBackward(dOut, new AttentionInputs(q, k, v, pk, pv, mask, causal, h), outR, lseR, AttentionGradients.none().withDq(dqR).withDk(dkR).withDv(dvR).withPrefixGradients(dpkR, dpvR));
        close("attention dq", dq, dqR);
        close("attention dk", dk, dkR);
        close("attention dv", dv, dvR);
        if (prefix > 0) {
            close("attention dPrefixK", dpk, dpkR);
            close("attention dPrefixV", dpv, dpvR);
        }
    }

    /**
     * Skipping masked queries: every row up to a sequence's last unmasked position (holes included) has the bits
     * of the full forward, the rows after it get out = 0 and lse = −∞; sequences of full length, length 1, with a
     * hole, and empty; several query blocks (T &gt; 32) and head groups.
     */
    @ParameterizedTest(name = "B={0} T={1} H={2} dh={3} L={4} causal={5}")
    @CsvSource({"4,37,3,11,0,false", "4,100,4,32,30,true", "4,130,12,32,1,false", "4,9,2,16,0,true"})
    void skippingMaskedQueriesKeepsTheOtherRowsBitForBit(int b, int t, int h, int dh, int prefix, boolean causal) {
        int d = h * dh;
        Tensor q = rnd.uniform(b, t, d), k = rnd.uniform(b, t, d), v = rnd.uniform(b, t, d);
        Tensor pk = prefix == 0 ? null : rnd.uniform(prefix, d);
        Tensor pv = prefix == 0 ? null : rnd.uniform(prefix, d);
        float[] m = new float[b * t];
        int[] end = {t, 1, Math.max(2, t * 2 / 3), 0};   // full, one token, a hole before its end, empty
        for (int s = 0; s < b; s++) {
            Arrays.fill(m, s * t, s * t + end[s], 1f);
        }
        m[2 * t + end[2] / 2] = 0f;
        Tensor mask = Tensor.of(m, b, t);
        AttentionInputs in = new AttentionInputs(q, k, v, pk, pv, mask, causal, h);
        Tensor out = poisoned(b, t, d), lse = poisoned(b, h, t), outS = poisoned(b, t, d), lseS = poisoned(b, h, t);
        CPU.attentionForward(in, out, lse);
        CPU.attentionForward(in.skippingMaskedQueries(), outS, lseS);
        float[] o = out.toArray(), os = outS.toArray(), l = lse.toArray(), ls = lseS.toArray();
        for (int s = 0; s < b; s++) {
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < d; j++) {
                    int at = (s * t + i) * d + j;
                    float want = i < end[s] ? o[at] : 0f;
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(os[at]),
                            () -> "out[" + at + "]: " + os[at] + ", want " + want);
                }
                for (int hh = 0; hh < h; hh++) {
                    int at = (s * h + hh) * t + i;
                    float want = i < end[s] ? l[at] : Float.NEGATIVE_INFINITY;
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(ls[at]),
                            () -> "lse[" + at + "]: " + ls[at] + ", want " + want);
                }
            }
        }
    }

    /**
     * Causal, no prefix, the first keys of a row masked: the first queries see no key at all (out = 0,
     * lse = −∞, no gradient), later ones a compacted key set whose count is not a vector multiple.
     */
    @ParameterizedTest(name = "B={0} T={1} H={2} dh={3} first masked={4}")
    @CsvSource({"2,40,4,32,3", "1,37,2,5,1", "4,19,8,16,12"})
    void causalQueriesBeforeTheFirstVisibleKey(int b, int t, int h, int dh, int firstMasked) {
        int d = h * dh;
        Tensor q = rnd.uniform(b, t, d), k = rnd.uniform(b, t, d), v = rnd.uniform(b, t, d);
        float[] m = new float[b * t];
        for (int row = 0; row < b; row++) {
            for (int j = 0; j < t; j++) {
                m[row * t + j] = j < firstMasked || (j % 7 == 5) ? 0f : 1f;
            }
        }
        Tensor mask = Tensor.of(m, b, t);
        Tensor out = poisoned(b, t, d), lse = poisoned(b, h, t), outR = zeros(b, t, d), lseR = zeros(b, h, t);
        CPU.attentionForward(new AttentionInputs(q, k, v, null, null, mask, true, h), out, lse);
        REF.attentionForward(new AttentionInputs(q, k, v, null, null, mask, true, h), outR, lseR);
        close("attention out", out, outR);
        assertLseEqual(lse, lseR);
        assertEquals(Float.NEGATIVE_INFINITY, lse.toArray()[0], "lse of query 0");

        Tensor dOut = rnd.uniform(b, t, d);
        Tensor dq = poisoned(b, t, d), dk = poisoned(b, t, d), dv = poisoned(b, t, d);
        Tensor dqR = zeros(b, t, d), dkR = zeros(b, t, d), dvR = zeros(b, t, d);
        CPU.attentionBackward(dOut, new AttentionInputs(q, k, v, null, null, mask, true, h), outR, lseR, AttentionGradients.none().withDq(dq).withDk(dk).withDv(dv));
        REF.attentionBackward(dOut, new AttentionInputs(q, k, v, null, null, mask, true, h), outR, lseR, AttentionGradients.none().withDq(dqR).withDk(dkR).withDv(dvR));
        close("attention dq", dq, dqR);
        close("attention dk", dk, dkR);
        close("attention dv", dv, dvR);
    }

    @org.junit.jupiter.api.Test
    void headGroupsDivideTheHeadsAndLeaveWorkForEveryThread() {
        for (int batch : new int[] {1, 2, 3, 16}) {
            for (int heads : new int[] {1, 2, 6, 7, 12}) {
                for (int threads : new int[] {1, 2, 8}) {
                    int g = AttentionKernels.groupSize(batch, heads, threads);
                    org.junit.jupiter.api.Assertions.assertTrue(g >= 1 && g <= AttentionKernels.MAX_GROUP
                            && heads % g == 0, "group " + g + " for " + heads + " heads");
                    if (g > 1) {
                        org.junit.jupiter.api.Assertions.assertTrue(batch * heads / g >= 4 * threads,
                                "group " + g + " leaves too few tasks for " + threads + " threads");
                    }
                }
            }
        }
        assertEquals(4, AttentionKernels.groupSize(16, 12, 2), "MiniLM shape");
    }

    /** −∞ entries (queries that see no key) must agree exactly; the finite ones within tolerance. */
    private static void assertLseEqual(Tensor lse, Tensor ref) {
        float[] a = lse.toArray(), r = ref.toArray();
        float[] fa = new float[a.length], fr = new float[r.length];
        for (int i = 0; i < a.length; i++) {
            if (r[i] == Float.NEGATIVE_INFINITY) {
                assertEquals(Float.NEGATIVE_INFINITY, a[i], "lse[" + i + "]");
            } else {
                fa[i] = a[i];
                fr[i] = r[i];
            }
        }
        close("attention lse", Tensor.of(fa, fa.length), Tensor.of(fr, fr.length));
    }
}
