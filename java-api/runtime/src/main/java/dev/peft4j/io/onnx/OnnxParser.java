package dev.peft4j.io.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the parts of an ONNX ModelProto that weight loading needs, with the field numbers of onnx.proto:
 * ModelProto{1 ir_version, 2 producer_name, 3 producer_version, 7 graph};
 * GraphProto{1 node, 2 name, 5 initializer, 11 input, 12 output};
 * NodeProto{1 input, 2 output, 3 name, 4 op_type, 5 attribute};
 * AttributeProto{1 name, 3 i, 5 t};
 * TensorProto{1 dims, 2 data_type, 4 float_data, 7 int64_data, 8 name, 9 raw_data, 14 data_location};
 * ValueInfoProto{1 name, 2 type}; TypeProto{1 tensor_type}; TypeProto.Tensor{1 elem_type, 2 shape};
 * TensorShapeProto{1 dim}; Dimension{1 dim_value, 2 dim_param}. Other fields are skipped.
 */
public final class OnnxParser {
    private OnnxParser() {}

    /** Parses a model held in memory; initializer raw_data stays a view of {@code bytes}. */
    public static OnnxModel parse(ByteBuffer bytes) {
        return model(new ProtoReader(bytes, 0));
    }

    public static OnnxModel parse(InputStream in) throws IOException {
        return parse(ByteBuffer.wrap(in.readAllBytes()));
    }

    /** Memory-maps {@code file} (read-only) and parses it. */
    public static OnnxModel parse(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new OnnxFormatException(file + ": " + ch.size() + " bytes; files over 2 GiB (external data) "
                        + "are not supported");
            }
            return parse(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
        } catch (OnnxFormatException e) {
            throw new OnnxFormatException(file + ": " + e.getMessage());
        }
    }

    private static OnnxModel model(ProtoReader r) {
        long ir = 0;
        String producer = "";
        String producerVersion = "";
        OnnxGraph graph = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> ir = r.readInt64();
                case 2 -> producer = r.readString();
                case 3 -> producerVersion = r.readString();
                case 7 -> graph = graph(r.readMessage());
                default -> r.skip();
            }
        }
        if (graph == null) {
            throw new OnnxFormatException("ModelProto has no graph (field 7)");
        }
        return new OnnxModel(ir, producer, producerVersion, graph);
    }

    private static OnnxGraph graph(ProtoReader r) {
        String name = "";
        List<OnnxNode> nodes = new ArrayList<>();
        Map<String, OnnxTensor> inits = new LinkedHashMap<>();
        List<OnnxValueInfo> inputs = new ArrayList<>();
        List<OnnxValueInfo> outputs = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> nodes.add(node(r.readMessage()));
                case 2 -> name = r.readString();
                case 5 -> {
                    long at = r.offset();
                    OnnxTensor t = tensor(r.readMessage());
                    if (inits.put(t.name(), t) != null) {
                        throw new OnnxFormatException("duplicate initializer '" + t.name() + "' at byte offset " + at);
                    }
                }
                case 11 -> inputs.add(valueInfo(r.readMessage()));
                case 12 -> outputs.add(valueInfo(r.readMessage()));
                default -> r.skip();
            }
        }
        return new OnnxGraph(name, List.copyOf(nodes), java.util.Collections.unmodifiableMap(inits),
                List.copyOf(inputs), List.copyOf(outputs));
    }

    private static OnnxNode node(ProtoReader r) {
        String name = "";
        String op = "";
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        Map<String, OnnxTensor> tensorAttrs = new LinkedHashMap<>();
        Map<String, Long> intAttrs = new LinkedHashMap<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> in.add(r.readString());
                case 2 -> out.add(r.readString());
                case 3 -> name = r.readString();
                case 4 -> op = r.readString();
                case 5 -> attribute(r.readMessage(), tensorAttrs, intAttrs);
                default -> r.skip();
            }
        }
        return new OnnxNode(name, op, List.copyOf(in), List.copyOf(out), tensorAttrs, intAttrs);
    }

    private static void attribute(ProtoReader r, Map<String, OnnxTensor> tensors, Map<String, Long> ints) {
        String name = "";
        OnnxTensor t = null;
        Long i = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.readString();
                case 3 -> i = r.readInt64();
                case 5 -> t = tensor(r.readMessage());
                default -> r.skip();
            }
        }
        if (t != null) {
            tensors.put(name, t);
        }
        if (i != null) {
            ints.put(name, i);
        }
    }

    private static OnnxTensor tensor(ProtoReader r) {
        long start = r.offset();
        String name = "";
        ProtoReader.LongList dims = new ProtoReader.LongList();
        int type = 0;
        ByteBuffer raw = null;
        ProtoReader.FloatList floats = new ProtoReader.FloatList();
        ProtoReader.LongList int64s = new ProtoReader.LongList();
        long location = 0;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> r.readInt64s(dims);
                case 2 -> type = (int) r.readInt64();
                case 4 -> r.readFloats(floats);
                case 7 -> r.readInt64s(int64s);
                case 8 -> name = r.readString();
                case 9 -> raw = r.readBytes();
                case 14 -> location = r.readInt64();
                default -> r.skip();
            }
        }
        if (location != 0) {
            throw new OnnxFormatException("tensor '" + name + "' at byte offset " + start
                    + " keeps its data in an external file, which is not supported");
        }
        long[] d = dims.toArray();
        for (long x : d) {
            if (x < 0) {
                throw new OnnxFormatException("tensor '" + name + "' at byte offset " + start + " has negative dims "
                        + java.util.Arrays.toString(d));
            }
        }
        return new OnnxTensor(name, d, type, raw, floats.size() == 0 ? null : floats.toArray(), int64s.toArray());
    }

    private static OnnxValueInfo valueInfo(ProtoReader r) {
        String name = "";
        int elemType = 0;
        List<String> dims = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.readString();
                case 2 -> {
                    ProtoReader type = r.readMessage();
                    while (type.next()) {
                        if (type.field() != 1) {
                            type.skip();
                            continue;
                        }
                        ProtoReader tensorType = type.readMessage();
                        while (tensorType.next()) {
                            switch (tensorType.field()) {
                                case 1 -> elemType = (int) tensorType.readInt64();
                                case 2 -> shape(tensorType.readMessage(), dims);
                                default -> tensorType.skip();
                            }
                        }
                    }
                }
                default -> r.skip();
            }
        }
        return new OnnxValueInfo(name, elemType, List.copyOf(dims));
    }

    private static void shape(ProtoReader r, List<String> dims) {
        while (r.next()) {
            if (r.field() != 1) {
                r.skip();
                continue;
            }
            ProtoReader dim = r.readMessage();
            String d = "?";
            while (dim.next()) {
                switch (dim.field()) {
                    case 1 -> d = Long.toString(dim.readInt64());
                    case 2 -> d = dim.readString();
                    default -> dim.skip();
                }
            }
            dims.add(d);
        }
    }
}
