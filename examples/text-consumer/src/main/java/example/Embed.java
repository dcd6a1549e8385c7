package example;

import dev.peft4j.text.BaseModel;
import dev.peft4j.text.TextEncoder;
import java.util.List;

/** README.md's embed example: MiniLM's vectors of three texts and two cosine similarities (vectors have norm 1). */
public final class Embed {
    public static void main(String[] args) throws Exception {
        // README begin
        try (TextEncoder encoder = TextEncoder.builder(BaseModel.miniLm())     // .adapter(Path.of("my-encoder"))
                .build()) {
            float[][] v = encoder.embed(List.of("A wonderful, moving film.", "I loved this movie.", "The soup was cold."));
            System.out.printf("cos(0,1) = %.3f, cos(0,2) = %.3f%n", dot(v[0], v[1]), dot(v[0], v[2]));   // norm 1
        }
        // README end
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
