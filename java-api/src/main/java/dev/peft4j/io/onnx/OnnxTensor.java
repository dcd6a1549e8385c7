package dev.peft4j.io.onnx;

import dev.peft4j.io.TensorData;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A TensorProto: name, dims, data type and its payload, either {@code raw_data} (little-endian bytes, kept as a
 * zero-copy slice of the file) or the typed repeated fields {@code float_data} / {@code int64_data}.
 */
public record OnnxTensor(String name, long[] dims, int dataType, ByteBuffer rawData, float[] floatData,
                         long[] int64Data) {

    public long numel() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public int[] intDims() {
        int[] s = new int[dims.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.toIntExact(dims[i]);
        }
        return s;
    }

    /** The values of a FLOAT tensor, from raw_data or float_data; the count is checked against the dims. */
    public TensorData toTensorData() {
        if (dataType != OnnxDataType.FLOAT) {
            throw new OnnxFormatException("initializer '" + name + "' has data type " + OnnxDataType.name(dataType)
                    + ", expected FLOAT");
        }
        long n = numel();
        float[] values;
        if (rawData != null) {
            if (rawData.remaining() != 4 * n) {
                throw new OnnxFormatException("initializer '" + name + "': raw_data has " + rawData.remaining()
                        + " bytes but dims " + Arrays.toString(dims) + " need " + 4 * n);
            }
            values = new float[(int) n];
            rawData.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        } else {
            values = floatData == null ? new float[0] : floatData;
            if (values.length != n) {
                throw new OnnxFormatException("initializer '" + name + "': float_data has " + values.length
                        + " values but dims " + Arrays.toString(dims) + " need " + n);
            }
        }
        return new TensorData(intDims(), values);
    }

    /** The values of an INT64 tensor (shape constants and the like). */
    public long[] toLongs() {
        if (dataType != OnnxDataType.INT64) {
            throw new OnnxFormatException("tensor '" + name + "' has data type " + OnnxDataType.name(dataType)
                    + ", expected INT64");
        }
        if (rawData != null) {
            long[] v = new long[rawData.remaining() / 8];
            rawData.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
            return v;
        }
        return int64Data == null ? new long[0] : int64Data.clone();
    }

    @Override
    public String toString() {
        return "OnnxTensor[" + name + " " + OnnxDataType.name(dataType) + " " + Arrays.toString(dims) + "]";
    }
}
