import dev.peft4j.backend.AdamW;
import dev.peft4j.backend.Backend;
import dev.peft4j.backend.Backends;
import dev.peft4j.model.Batch;
import dev.peft4j.model.BertConfig;
import dev.peft4j.model.BertModel;
import dev.peft4j.model.Parameter;
import dev.peft4j.model.SequenceClassifier;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.peft.PeftPlan;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import dev.peft4j.tensor.Tensor;
import dev.peft4j.train.Optimizer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where a LoRA training step's memory goes: the tensors' live bytes (MemoryAccounting) and the JVM's used heap after a
 * full collection, after each phase of two training steps and one evaluation forward of an all-MiniLM-L6-v2-shaped
 * classifier (random weights, LoRA r = 8 on query/value) on the cpu backend. Run by tools/training-memory.sh.
 */
public class TrainingMemory {
    private static long lastTensors;

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int length = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        System.out.printf("batch %d × %d tokens%n%-34s %12s %12s %14s%n", batch, length, "after", "tensors MiB",
                "+ MiB", "heap used MiB");
        report("start");
        try (Backend be = Backends.create("cpu");
             SequenceClassifier model = new SequenceClassifier(BertModel.random(be, BertConfig.miniLmL6(), 1), 2, 2)) {
            model.encoder().applyPlan(PeftPlan.lora(6, LoraSpec.defaults()), 3);
            report("model weights + LoRA + head");
            List<Parameter> trainable = model.trainableParameters();
            SplittableRandom rng = new SplittableRandom(1);
            int[] ids = new int[batch * length];
            float[] mask = new float[batch * length];
            int[] labels = new int[batch];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 1000 + rng.nextInt(20000);
                mask[i] = 1f;
            }
            for (int i = 0; i < batch; i++) {
                labels[i] = i % 2;
            }
            Batch b = new Batch(batch, length, ids, new int[ids.length], mask, labels);
            try (Optimizer opt = new Optimizer(be, trainable); Tensor norm = be.allocate(1)) {
                report("optimizer state");
                for (int step = 1; step <= 2; step++) {
                    model.deviceLoss(b, true, step);
                    report("step " + step + ": forward (training)");
                    model.backward(1f);
                    report("step " + step + ": backward");
                    opt.step(new AdamW(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f), 1f, norm);
                    report("step " + step + ": optimizer step");
                }
                model.loss(b, false, 0);
                report("evaluation forward");
            }
        }
    }

    private static void report(String what) {
        System.gc();
        long tensors = MemoryAccounting.liveBytes(Device.CPU);
        Runtime rt = Runtime.getRuntime();
        System.out.printf("%-34s %12.1f %12.1f %14.1f%n", what, mib(tensors), mib(tensors - lastTensors),
                mib(rt.totalMemory() - rt.freeMemory()));
        lastTensors = tensors;
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
