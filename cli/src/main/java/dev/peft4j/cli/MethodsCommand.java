package dev.peft4j.cli;

import dev.peft4j.text.BaseModel;
import dev.peft4j.model.BertConfig;
import dev.peft4j.peft.Methods;
import dev.peft4j.search.ParameterCounter;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Lists the hand-made PEFT methods with their exact trainable-parameter counts on a model. */
@Command(name = "methods", mixinStandardHelpOptions = true,
        description = "List the PEFT methods with their trainable-parameter counts on a model.")
final class MethodsCommand implements Callable<Integer> {
    @Mixin
    ModelOption model = ModelOption.defaultingTo("minilm");
    @Option(names = "--labels", description = "classes of the task head (default ${DEFAULT-VALUE})")
    int labels = 2;

    @Override
    public Integer call() throws IOException {
        BaseModel named = model.base();
        BertConfig cfg = named.config(0f);
        long base = ParameterCounter.base(cfg);
        long head = ParameterCounter.head(cfg, labels);
        System.out.printf("%s: %,d base parameters; a %d-class head adds %,d%n", named.name(), base,
                labels, head);
        System.out.printf("%-10s %-44s %12s %10s%n", "method", "plan (every layer)", "PEFT params", "% of base");
        for (String m : List.of("head", "lora", "houlsby", "pfeiffer", "parallel", "prefix", "bitfit", "ia3", "mam")) {
            long n = ParameterCounter.count(cfg, Methods.plan(m, cfg.layers(), cfg.hidden(), 0));
            System.out.printf("%-10s %-44s %,12d %9.3f%%%n", m, describe(m, cfg), n, 100.0 * n / base);
        }
        return 0;
    }

    private static String describe(String m, BertConfig cfg) {
        int a = cfg.hidden() / 16;
        return switch (m) {
            case "head" -> "classifier head only";
            case "lora" -> "LoRA r=8 α=8 on query, value";
            case "houlsby" -> "serial adapters m=" + a + " after attn and FFN";
            case "pfeiffer" -> "serial adapter m=" + a + " after FFN";
            case "parallel" -> "parallel adapter m=" + a + " on FFN, s=4";
            case "prefix" -> "prefix L=10";
            case "bitfit" -> "all biases";
            case "ia3" -> "(IA)³ on k, v, FFN hidden";
            case "mam" -> "prefix L=30 + parallel adapter m=512, s=4";
            default -> m;
        };
    }
}
