package dev.peft4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfilingBackendTest {
    @Test
    void gemmReportNamesEachShapeWithItsCallCount() {
        try (Backend ref = Backends.create("reference")) {
            ProfilingBackend prof = new ProfilingBackend(ref);
            Backend be = prof.backend();
            try (Tensor x = be.allocate(5, 3); Tensor w = be.allocate(7, 3); Tensor y = be.allocate(5, 7);
                 Tensor dy = be.allocate(5, 7); Tensor dx = be.allocate(5, 3); Tensor a = be.allocate(2, 3);
                 Tensor b = be.allocate(7, 2); Tensor u = be.allocate(5, 2); Tensor dA = be.allocate(2, 3)) {
                be.linearForward(x, w, null, y);
                be.linearForward(x, w, null, y);
                be.loraForward(x, w, null, a, b, 1f, null, y, u);
                be.loraBackward(dy, x, w, a, b, u, 1f, null, null, dA, null);
                be.add(y, y, y);
            }
            List<String> lines = prof.gemmReport();
            assertEquals(4, lines.size(), String.join("\n", lines)); // header + three shapes; add is not a GEMM
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("linearForward 5×3→7 ") && l.contains(" 2 ")),
                    String.join("\n", lines));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("loraForward 5×3→7, r 2 ")), String.join("\n", lines));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("loraBackward (no dx) 5×3→7, r 2 ")),
                    String.join("\n", lines));
        }
    }

    @Test
    void flopsCountEveryProductAskedFor() {
        Object[] args = new Object[11];
        try (Backend ref = Backends.create("reference");
             Tensor dy = ref.allocate(4, 6); Tensor x = ref.allocate(4, 5); Tensor w = ref.allocate(6, 5);
             Tensor a = ref.allocate(3, 5); Tensor dx = ref.allocate(4, 5)) {
            args[0] = dy;
            args[1] = x;
            args[2] = w;
            args[3] = a;
            args[8] = dx;
            // g = dy B (2·4·6·3) and dx = [dy, s·g]·[W; A] (2·4·(6+3)·5); no dA, no dB
            assertEquals(2 * 4 * 6 * 3 + 2 * 4 * 9 * 5, GemmShape.of("loraBackward", args).flops(), 0);
            Object[] lin = {dy, x, w, dx, null, null};
            assertEquals(2 * 4 * 5 * 6, GemmShape.of("linearBackward", lin).flops(), 0);
        }
    }
}
