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

    /** The product of the dims; refuses negative dims and a product beyond {@code Long.MAX_VALUE}. */
    public long numel() {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new OnnxFormatException("tensor '" + name + "' has negative dims " + Arrays.toString(dims));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new OnnxFormatException("tensor '" + name + "': the product of dims " + Arrays.toString(dims)
                        + " overflows 64 bits");
            }
        }
        return n;
    }

    /** The dims as ints; refuses a dim beyond {@code Integer.MAX_VALUE} (possible when another dim is 0). */
    public int[] intDims() {
        int[] s = new int[dims.length];
        for (int i = 0; i < s.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new OnnxFormatException("tensor '" + name + "': dim " + i + " of " + Arrays.toString(dims)
                        + " does not fit an int");
            }
            s[i] = (int) dims[i];
        }
        return s;
    }

    /** {@link #numel()}, refused when that many values of {@code bytesEach} bytes cannot be one Java array. */
    private int arrayLength(int bytesEach) {
        long n = numel();
        if (n > (Integer.MAX_VALUE - 8) / bytesEach) {
            throw new OnnxFormatException("tensor '" + name + "': dims " + Arrays.toString(dims) + " hold " + n
                    + " values, more than one Java array can");
        }
        return (int) n;
    }

    /** The values of a FLOAT tensor, from raw_data or float_data; the count is checked against the dims. */
    public TensorData toTensorData() {
        if (dataType != OnnxDataType.FLOAT) {
            throw new OnnxFormatException("initializer '" + name + "' has data type " + OnnxDataType.name(dataType)
                    + ", expected FLOAT");
        }
        int n = arrayLength(4);
        int[] shape = intDims();
        float[] values;
        if (rawData != null) {
            if (rawData.remaining() != 4L * n) {
                throw new OnnxFormatException("initializer '" + name + "': raw_data has " + rawData.remaining()
                        + " bytes but dims " + Arrays.toString(dims) + " need " + 4L * n);
            }
            values = new float[n];
            rawData.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        } else {
            values = floatData == null ? new float[0] : floatData;
            if (values.length != n) {
                throw new OnnxFormatException("initializer '" + name + "': float_data has " + values.length
                        + " values but dims " + Arrays.toString(dims) + " need " + n);
            }
        }
        return new TensorData(shape, values);
    }

    /** The values of an INT64 tensor (shape constants and the like); the count is checked against the dims. */
    public long[] toLongs() {
        if (dataType != OnnxDataType.INT64) {
            throw new OnnxFormatException("tensor '" + name + "' has data type " + OnnxDataType.name(dataType)
                    + ", expected INT64");
        }
        int n = arrayLength(8);
        if (rawData != null) {
            if (rawData.remaining() != 8L * n) {
                throw new OnnxFormatException("tensor '" + name + "': raw_data has " + rawData.remaining()
                        + " bytes but dims " + Arrays.toString(dims) + " need " + 8L * n);
            }
            long[] v = new long[n];
            rawData.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
            return v;
        }
        long[] v = int64Data == null ? new long[0] : int64Data.clone();
        if (v.length != n) {
            throw new OnnxFormatException("tensor '" + name + "': int64_data has " + v.length + " values but dims "
                    + Arrays.toString(dims) + " need " + n);
        }
        return v;
    }

    @Override
    public String toString() {
        return "OnnxTensor[" + name + " " + OnnxDataType.name(dataType) + " " + Arrays.toString(dims) + "]";
    }
}
