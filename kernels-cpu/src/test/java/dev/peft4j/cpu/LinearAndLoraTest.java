package dev.peft4j.cpu;

import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LinearAndLoraTest extends KernelTestBase {

    @ParameterizedTest(name = "N={0} in={1} out={2}")
    @CsvSource({"1,1,1", "7,33,384", "127,384,33", "127,1,384", "7,384,1"})
    void linearForwardAndBackward(int n, int in, int out) {
        Tensor x = rnd.uniform(n, in);
        Tensor w = rnd.uniform(out, in);
        Tensor b = rnd.uniform(out);
        Tensor y = poisoned(n, out), yRef = zeros(n, out);
        CPU.linearForward(x, w, b, y);
        REF.linearForward(x, w, b, yRef);
        close("linear y", y, yRef);
        CPU.linearForward(x, w, null, y);
        REF.linearForward(x, w, null, yRef);
        close("linear y without bias", y, yRef);

        Tensor dy = rnd.uniform(n, out);
        Tensor dx = poisoned(n, in), dw = poisoned(out, in), db = poisoned(out);
        Tensor dxR = zeros(n, in), dwR = zeros(out, in), dbR = zeros(out);
        CPU.linearBackward(dy, x, w, dx, dw, db);
        REF.linearBackward(dy, x, w, dxR, dwR, dbR);
        close("linear dx", dx, dxR);
        close("linear dW", dw, dwR);
        close("linear db", db, dbR);
    }

    @ParameterizedTest(name = "N={0} in={1} out={2} r={3} mask={4}")
    @CsvSource({"1,1,1,1,false", "7,33,384,8,true", "127,384,33,1,false", "127,384,384,8,true",
        "7,1,33,8,false", "127,33,1,1,true", "64,384,384,16,false",
        // augmented k = in + r over two k blocks: the in-place x part ends inside the second block
        "40,500,60,8,false", "13,460,50,4,false"})
    void loraForwardAndBackward(int n, int in, int out, int r, boolean withMask) {
        Tensor x = rnd.uniform(n, in);
        Tensor w = rnd.uniform(out, in);
        Tensor bias = rnd.uniform(out);
        Tensor a = rnd.uniform(r, in);
        Tensor b = rnd.uniform(out, r);
        float s = 2f / r;
        Tensor mask = null;
        if (withMask) {
            float[] m = rnd.binary(0.8, n, in).toArray();
            for (int i = 0; i < m.length; i++) {
                m[i] *= 1.25f;
            }
            mask = Tensor.of(m, n, in);
        }
        Tensor y = poisoned(n, out), u = poisoned(n, r);
        Tensor yR = zeros(n, out), uR = zeros(n, r);
        CPU.loraForward(x, w, bias, a, b, s, mask, y, u);
        REF.loraForward(x, w, bias, a, b, s, mask, yR, uR);
        close("lora u", u, uR);
        close("lora y", y, yR);

        Tensor dy = rnd.uniform(n, out);
        Tensor dx = poisoned(n, in), dA = poisoned(r, in), dB = poisoned(out, r);
        Tensor dxR = zeros(n, in), dAR = zeros(r, in), dBR = zeros(out, r);
        CPU.loraBackward(dy, x, w, a, b, uR, s, mask, dx, dA, dB);
        REF.loraBackward(dy, x, w, a, b, uR, s, mask, dxR, dAR, dBR);
        close("lora dx", dx, dxR);
        close("lora dA", dA, dAR);
        close("lora dB", dB, dBR);
    }

    @ParameterizedTest(name = "N={0} in={1} out={2} r={3} adapters={4}")
    @CsvSource({"1,1,1,1,1", "7,33,45,8,3", "130,384,384,16,4", "127,37,1536,13,2"})
    void loraMixedForwardAddsEachRowsAdapter(int n, int in, int out, int r, int adapters) {
        Tensor x = rnd.uniform(n, in);
        Tensor a = rnd.uniform(adapters, r, in);
        Tensor b = rnd.uniform(adapters, out, r);
        Tensor scales = rnd.uniform(adapters);
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = (i * 7 + 3) % (adapters + 1) - 1; // every adapter and −1 (no adapter) appear
        }
        float[] y0 = rnd.uniform(n, out).toArray();
        Tensor y = Tensor.of(y0.clone(), n, out), yRef = Tensor.of(y0.clone(), n, out);
        CPU.loraMixedForward(x, a, b, scales, rows, y);
        REF.loraMixedForward(x, a, b, scales, rows, yRef);
        close("mixed lora y", y, yRef);
        float[] got = y.toArray();
        for (int i = 0; i < n; i++) {
            if (rows[i] < 0) {
                for (int o = 0; o < out; o++) {
                    if (Float.floatToRawIntBits(got[i * out + o]) != Float.floatToRawIntBits(y0[i * out + o])) {
                        throw new AssertionError("row " + i + " has no adapter but y[" + i + "," + o + "] changed");
                    }
                }
            }
        }
    }
}
