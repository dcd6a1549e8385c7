package dev.peft4j.cpu;

import dev.peft4j.backend.AdapterGradients;
import dev.peft4j.backend.AdapterWeights;
import dev.peft4j.backend.Activation;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdapterAndScaleTest extends KernelTestBase {

    @ParameterizedTest(name = "N={0} d={1} m={2} {3} serial={4}")
    @CsvSource({"1,1,1,RELU,true", "7,33,8,GELU,false", "127,384,24,SWISH,true", "7,384,1,IDENTITY,false",
        "33,33,8,GELU_TANH,true", "7,64,16,TANH,false"})
    void adapterForwardAndBackward(int n, int d, int m, Activation f, boolean serial) {
        Tensor x = rnd.uniform(n, d);
        Tensor residual = serial ? x : rnd.uniform(n, d);
        Tensor wd = rnd.uniform(m, d), bd = rnd.uniform(m), wu = rnd.uniform(d, m), bu = rnd.uniform(d);
        float s = 1.5f;
        Tensor y = poisoned(n, d), z = poisoned(n, m);
        Tensor yR = zeros(n, d), zR = zeros(n, m);
        CPU.adapterForward(x, residual, new AdapterWeights(wd, bd, wu, bu, f, s), y, z);
        REF.adapterForward(x, residual, new AdapterWeights(wd, bd, wu, bu, f, s), yR, zR);
        close("adapter z", z, zR);
        close("adapter y", y, yR);

        Tensor yAlias = copyOf(residual), yAliasR = copyOf(residual);
        CPU.adapterForward(serial ? yAlias : x, yAlias, new AdapterWeights(wd, null, wu, null, f, s), yAlias, z);
        REF.adapterForward(serial ? yAliasR : x, yAliasR, new AdapterWeights(wd, null, wu, null, f, s), yAliasR, zR);
        close("adapter y aliasing the residual", yAlias, yAliasR);

        REF.adapterForward(x, residual, new AdapterWeights(wd, bd, wu, bu, f, s), yR, zR);
        Tensor dy = rnd.uniform(n, d);
        Tensor dx = poisoned(n, d), dwd = poisoned(m, d), dbd = poisoned(m), dwu = poisoned(d, m),
                dbu = poisoned(d), ds = poisoned(1);
        Tensor dxR = zeros(n, d), dwdR = zeros(m, d), dbdR = zeros(m), dwuR = zeros(d, m), dbuR = zeros(d),
                dsR = zeros(1);
        CPU.adapterBackward(dy, x, new AdapterWeights(wd, null, wu, bu, f, s), zR, AdapterGradients.none().withDx(dx).withDown(dwd, dbd).withUp(dwu, dbu).withDScale(ds));
        REF.adapterBackward(dy, x, new AdapterWeights(wd, null, wu, bu, f, s), zR, AdapterGradients.none().withDx(dxR).withDown(dwdR, dbdR).withUp(dwuR, dbuR).withDScale(dsR));
        close("adapter dx", dx, dxR);
        close("adapter dW_down", dwd, dwdR);
        close("adapter db_down", dbd, dbdR);
        close("adapter dW_up", dwu, dwuR);
        close("adapter db_up", dbu, dbuR);
        close("adapter dScale", ds, dsR);
    }

    @ParameterizedTest(name = "rows={0} D={1}")
    @CsvSource({"1,1", "7,33", "127,384"})
    void ia3ScaleForwardAndBackward(int rows, int d) {
        Tensor x = rnd.uniform(rows, d), l = rnd.uniform(d), dy = rnd.uniform(rows, d);
        Tensor y = poisoned(rows, d), yR = zeros(rows, d);
        CPU.scaleForward(x, l, y);
        REF.scaleForward(x, l, yR);
        close("ia3 y", y, yR);
        Tensor dx = poisoned(rows, d), dl = poisoned(d), dxR = zeros(rows, d), dlR = zeros(d);
        CPU.scaleBackward(dy, x, l, dx, dl);
        REF.scaleBackward(dy, x, l, dxR, dlR);
        close("ia3 dx", dx, dxR);
        close("ia3 dl", dl, dlR);
    }
}
