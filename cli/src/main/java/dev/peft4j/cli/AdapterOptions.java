package dev.peft4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The repeated {@code --adapter NAME=RUN} option: each name once, each with a run folder. */
final class AdapterOptions {
    private AdapterOptions() {}

    /** The runs by name, in the order given; a value without "=", an empty name or a repeated name is a usage error. */
    static Map<String, Path> byName(List<String> values) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq <= 0 || eq == v.length() - 1) {
                throw new UsageException("--adapter " + v + ": expected NAME=RUN (a name, '=', a finetune --output folder)");
            }
            String name = v.substring(0, eq);
            Path run = Path.of(v.substring(eq + 1));
            Path before = out.putIfAbsent(name, run);
            if (before != null) {
                throw new UsageException("--adapter " + name + " is given twice (" + before + " and " + run
                        + "); each name must be unique");
            }
        }
        return out;
    }
}
