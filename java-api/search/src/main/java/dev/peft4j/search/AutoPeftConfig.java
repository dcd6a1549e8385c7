package dev.peft4j.search;

/**
 * One point of the AutoPEFT space: an index into each size list (0 = off) for the serial adapter, the parallel
 * adapter and the prefix, and the layers the modules go into (bit ℓ of {@code layerMask}).
 */
public record AutoPeftConfig(int serial, int parallel, int prefix, long layerMask) {
    public boolean inLayer(int l) {
        return (layerMask & (1L << l)) != 0;
    }
}
