package dev.peft4j.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.peft4j.text.Prediction;
import java.util.Locale;

/** How {@code predict} writes one prediction per line: tab-separated with the text escaped, or JSON lines. */
enum PredictionFormat {
    /** LABEL, the probabilities ({@code neg=0.1234  pos=0.8766}) and the text escaped by {@link TsvText}, tab-separated. */
    TSV,
    /** {"label": ..., "probabilities": {label: p, ...}, "text": ...}, one object per line. */
    JSONL;

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    String line(Prediction p, String text) {
        if (this == JSONL) {
            JsonObject o = new JsonObject();
            o.addProperty("label", p.label());
            JsonObject probs = new JsonObject();
            for (int k = 0; k < p.labels().size(); k++) {
                probs.addProperty(p.labels().get(k), p.probabilities()[k]);
            }
            o.add("probabilities", probs);
            o.addProperty("text", text);
            return GSON.toJson(o);
        }
        return TsvText.escape(p.label()) + "\t" + probabilities(p) + "\t" + TsvText.escape(text);
    }

    private static String probabilities(Prediction p) {
        StringBuilder probs = new StringBuilder();
        for (int k = 0; k < p.labels().size(); k++) {
            probs.append(String.format(Locale.ROOT, "%s%s=%.4f", k == 0 ? "" : "  ", TsvText.escape(p.labels().get(k)),
                    p.probabilities()[k]));
        }
        return probs.toString();
    }
}
