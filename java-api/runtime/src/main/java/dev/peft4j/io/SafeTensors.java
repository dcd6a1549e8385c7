package dev.peft4j.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reader and writer of the safetensors format: {@code u64 LE n | n bytes JSON header | data}. The header maps
 * each tensor name to {@code {dtype, shape, data_offsets: [begin, end)}} (offsets relative to the data section)
 * plus an optional {@code "__metadata__"} object of strings.
 *
 * <p>Reading memory-maps the file and converts F32, F16, BF16 and F64 to float32; an invalid file is refused with a
 * {@link SafeTensorsFormatException} naming the file and the problem, and one whose float32 tensors would not fit
 * the JVM's maximum heap with a plain {@link IOException}, before anything is allocated. Writing produces F32 and is
 * atomic: a temporary file in the target's folder is written, forced to disk and renamed over the target.
 */
public final class SafeTensors {
    private SafeTensors() {}

    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Reads every tensor of {@code file} as float32, validating the header against the file's size. */
    public static SafeTensorsContent read(Path file) throws IOException {
        return read(file, Runtime.getRuntime().maxMemory());
    }

    /**
     * As {@link #read(Path)}, for weights that a model will use (adapters, checkpoints, base models): a NaN or an
     * infinity in any tensor is refused with a {@link SafeTensorsFormatException} naming the file, the tensor and
     * the element's index.
     */
    public static SafeTensorsContent readWeights(Path file) throws IOException {
        SafeTensorsContent c = read(file);
        String problem = FiniteValues.firstProblem(c.tensors());
        if (problem != null) {
            throw new SafeTensorsFormatException(file + ": " + problem);
        }
        return c;
    }

    /**
     * The tensors' names and shapes, in the file's order, from its header alone (validated as {@link #read(Path)}
     * validates it); no tensor is read.
     */
    public static Map<String, int[]> shapes(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            Map<String, int[]> out = new LinkedHashMap<>();
            for (SafeTensorsHeader.Entry e : map(file.toString(), ch, arena).header().entries) {
                out.put(e.name(), e.shape());
            }
            return out;
        }
    }

    /** A file mapped in an arena: the whole file, where its data section starts, and its validated header. */
    private record Mapped(MemorySegment file, long dataStart, SafeTensorsHeader header) {}

    private static Mapped map(String name, FileChannel ch, Arena arena) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new SafeTensorsFormatException(name + ": file of " + size
                    + " bytes is too short for the 8-byte header length");
        }
        MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        long headerLength = seg.get(U64_LE, 0);
        if (headerLength < 0 || headerLength > size - 8) {
            throw new SafeTensorsFormatException(name + ": header length " + Long.toUnsignedString(headerLength)
                    + " (bytes 0..8) exceeds the " + (size - 8) + " bytes after it");
        }
        if (headerLength > SafeTensorsHeader.MAX_HEADER_BYTES) {
            throw new SafeTensorsFormatException(name + ": header length " + headerLength + " exceeds the limit of "
                    + SafeTensorsHeader.MAX_HEADER_BYTES + " bytes");
        }
        byte[] headerBytes = seg.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        String json = new String(headerBytes, StandardCharsets.UTF_8);
        long dataStart = 8 + headerLength;
        return new Mapped(seg, dataStart, SafeTensorsHeader.parse(name, json, dataStart, size - dataStart));
    }

    /** As {@link #read(Path)}, refusing files whose float32 tensors need more than {@code heapLimit} bytes. */
    static SafeTensorsContent read(Path file, long heapLimit) throws IOException {
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            Mapped mapped = map(name, ch, arena);
            SafeTensorsHeader header = mapped.header();
            MemorySegment seg = mapped.file();
            long dataStart = mapped.dataStart();
            long needed = 0;
            for (SafeTensorsHeader.Entry e : header.entries) {
                if (!e.dtype().convertibleToFloat32()) {
                    throw new SafeTensorsFormatException(name + ": tensor '" + e.name() + "': field dtype: " + e.dtype()
                            + " cannot be read as float32 (supported: F32, F16, BF16, F64)");
                }
                long numel = (e.end() - e.begin()) / e.dtype().size;
                if (numel > Integer.MAX_VALUE - 8) {
                    throw new SafeTensorsFormatException(name + ": tensor '" + e.name() + "': " + numel
                            + " elements do not fit one Java array");
                }
                needed += 4 * numel; // at most 2·size: no overflow
            }
            if (needed > heapLimit) {
                throw new IOException(name + ": its tensors need " + needed + " bytes as float32 but the JVM heap "
                        + "is limited to " + heapLimit + " bytes (raise -Xmx)");
            }
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            for (SafeTensorsHeader.Entry e : header.entries) {
                int numel = (int) ((e.end() - e.begin()) / e.dtype().size);
                float[] data = e.dtype().toFloat32(seg, dataStart + e.begin(), numel);
                tensors.put(e.name(), new TensorData(e.shape(), data));
            }
            return new SafeTensorsContent(tensors, header.metadata);
        }
    }

    /** Writes {@code tensors} as F32 with {@code metadata} (e.g. {@code {"format": "pt"}}), atomically. */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, metadata, () -> {});
    }

    /** As {@link #write(Path, Map, Map)}; {@code beforeRename} runs after the data is on disk (a test hook). */
    static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata, Runnable beforeRename)
            throws IOException {
        try {
            writeAtomically(file, tensors, metadata, beforeRename);
        } catch (IOException e) {
            throw IoErrors.withPath(file, e); // a full disk says only "No space left on device"
        }
    }

    private static void writeAtomically(Path file, Map<String, TensorData> tensors, Map<String, String> metadata,
                                        Runnable beforeRename) throws IOException {
        byte[] header = headerBytes(file, new TreeMap<>(tensors), metadata);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = TempFiles.createSibling(target);
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (TensorData t : new TreeMap<>(tensors).values()) {
                    for (float v : t.data()) {
                        if (!buf.hasRemaining()) {
                            writeFully(ch, buf.flip());
                            buf.clear();
                        }
                        buf.putFloat(v);
                    }
                }
                writeFully(ch, buf.flip());
                ch.force(true);
            }
            beforeRename.run();
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            forceDirectory(dir);
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The JSON header, names sorted, F32 offsets packed in that order, padded with spaces to a multiple of 8. */
    private static byte[] headerBytes(Path file, Map<String, TensorData> sorted, Map<String, String> metadata) {
        JsonObject root = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new IllegalArgumentException(file + ": metadata keys and values must not be null");
                }
                m.addProperty(k, v);
            });
            root.add(SafeTensorsHeader.METADATA_KEY, m);
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> e : sorted.entrySet()) {
            String name = e.getKey();
            if (name == null || name.equals(SafeTensorsHeader.METADATA_KEY) || e.getValue() == null) {
                throw new IllegalArgumentException(file + ": invalid tensor entry '" + name + "'");
            }
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray off = new JsonArray();
            long end = offset + 4L * e.getValue().data().length;
            off.add(offset);
            off.add(end);
            t.add("data_offsets", off);
            root.add(name, t);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Makes the rename durable where the platform allows opening a folder (Linux); elsewhere a no-op. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported on this platform: the rename itself is still atomic
        }
    }
}
