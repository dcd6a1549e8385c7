package dev.peft4j.io;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Child-JVM main for the checkpoint tests: rewrites the safetensors file {@code args[0]} with changed values through
 * {@link SafeTensors#write}, and stalls inside the write, after the new data is on disk in the temporary file and
 * before the rename, printing "IN_WRITE" so the test can kill the process exactly there.
 */
public final class StallingWriteMain {
    private StallingWriteMain() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        SafeTensorsContent old = SafeTensors.read(file);
        Map<String, TensorData> changed = new LinkedHashMap<>();
        old.tensors().forEach((k, v) -> {
            float[] d = v.data().clone();
            for (int i = 0; i < d.length; i++) {
                d[i] += 1f;
            }
            changed.put(k, new TensorData(v.shape(), d));
        });
        SafeTensors.write(file, changed, old.metadata(), () -> {
            System.out.println("IN_WRITE");
            System.out.flush();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        System.out.println("renamed");
    }
}
