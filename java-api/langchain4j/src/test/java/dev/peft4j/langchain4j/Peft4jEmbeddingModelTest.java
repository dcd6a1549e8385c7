package dev.peft4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.peft4j.text.BaseModel;
import dev.peft4j.text.LongTextPolicy;
import dev.peft4j.text.TextEncoder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * peft4j's MiniLM (weights read from the ONNX file, run by peft4j's kernels) against langchain4j's own in-process
 * MiniLM (onnxruntime) on real sentences: plain, accented, HTML-bearing reviews, and one text of over 1,200 word
 * pieces (which both truncate to the 128 tokens MiniLM's tokenizer.json declares).
 */
class Peft4jEmbeddingModelTest {
    static final List<String> TEXTS = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "I loved this movie, the acting was superb and the plot kept me guessing until the very end.",
            "Worst film I have seen in years. Two hours I will never get back.",
            "Crème brûlée, façade, naïve, jalapeño: accented words are normalised the way BERT's tokenizer does it.",
            "Ça va? Très bien, merci. Überraschend gut, sagte der Kritiker über die Aufführung in München.",
            "This film was great.<br /><br />The cinematography alone is worth the ticket, and the score is <i>haunting</i>.",
            "<b>Spoiler:</b> the butler did it &amp; nobody cared.<br />Skip it.",
            "Parameter-efficient fine-tuning trains a tiny fraction of a model's weights.",
            "LoRA adds a low-rank update B·A to a frozen weight matrix.",
            "What time does the last train to Cambridge leave on Sundays?",
            "The committee postponed its decision until the auditors' report is published next quarter.",
            "She sells seashells by the seashore; the shells she sells are surely seashells.",
            "An unremarkable sequel that recycles every joke from the original, only louder.",
            "Numbers like 3.14159, 2,718 and 1e-12 are split into word pieces too.",
            "Emoji 😀 and symbols ∑ ∫ √ map to [UNK] or to their own pieces.",
            "Hyphenated, well-known, state-of-the-art compounds and CamelCaseIdentifiers.",
            "It rained all week in Seattle, as it usually does in November.",
            "The patient reported mild headaches and occasional dizziness after the second dose.",
            "A single word",
            "Ein Spaziergang durch die Altstadt von Kraków dauert länger, als man denkt.",
            longReview());

    static EmbeddingModel reference;
    static Peft4jEmbeddingModel peft4j;

    @BeforeAll
    static void load() {
        reference = new AllMiniLmL6V2EmbeddingModel();
        peft4j = Peft4jEmbeddingModel.builder().build();
    }

    @AfterAll
    static void close() {
        peft4j.close();
    }

    /** About 1,300 word pieces of review prose, so the text is split into three parts. */
    static String longReview() {
        String[] sentences = {
            "I went into this film with low expectations, having read several lukewarm reviews beforehand.",
            "The opening sequence, a long tracking shot through a crowded market, immediately changed my mind.",
            "Every performance feels lived-in, from the weary detective to the nervous shopkeeper who witnesses the crime.",
            "The screenplay rarely explains itself, trusting the audience to piece together motives from small gestures.",
            "Midway through, the story detours into a flashback that some viewers will find indulgent.",
            "I thought it deepened the central relationship and made the final confrontation far more painful.",
            "The music, mostly sparse piano with the occasional swell of strings, never tells you what to feel.",
            "Some of the dialogue in the second act is clumsy, and one subplot about a stolen ledger goes nowhere.",
            "Still, the direction is confident, the editing is precise, and the ending lingered with me for days.",
        };
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (sb.length() < 7_000) {
            sb.append(sentences[i % sentences.length]).append(' ');
            i++;
        }
        return sb.toString().trim();
    }

    @Test
    void equalsLangchain4jsMiniLmOnRealSentencesWithTheSameTokenCounts() throws Exception {
        try (TextEncoder whole = TextEncoder.builder(BaseModel.miniLm()).longText(LongTextPolicy.SPLIT).build()) {
            int longest = whole.countTokens(longReview());
            assertTrue(longest > 1_200, "the long text must exceed 1,200 word pieces, has " + longest);
        }

        List<TextSegment> comparable = new ArrayList<>();
        for (String t : TEXTS) {
            comparable.add(TextSegment.from(t));
        }
        Response<List<Embedding>> ours = peft4j.embedAll(comparable);
        double worst = 0;
        for (int i = 0; i < comparable.size(); i++) {
            Response<Embedding> theirs = reference.embed(comparable.get(i));
            float[] a = ours.content().get(i).vector();
            float[] b = theirs.content().vector();
            assertEquals(b.length, a.length);
            for (int j = 0; j < a.length; j++) {
                worst = Math.max(worst, Math.abs(a[j] - b[j]));
            }
            int theirTokens = theirs.tokenUsage().inputTokenCount();
            int ourTokens = peft4j.embedAll(List.of(comparable.get(i))).tokenUsage().inputTokenCount();
            assertEquals(theirTokens, ourTokens, "token count of text " + i);
        }
        assertTrue(worst < 1e-4, "max |Δ| per component against langchain4j's MiniLM: " + worst);
        System.out.printf("peft4j vs langchain4j MiniLM on %d texts: max |Δ| = %.2e%n", comparable.size(), worst);
    }

    @Test
    void reportsDimensionNameAndTotalTokenUsage() {
        assertEquals(384, peft4j.dimension());
        assertEquals("all-MiniLM-L6-v2", peft4j.modelName());
        Response<List<Embedding>> r = peft4j.embedAll(List.of(TextSegment.from("one two"), TextSegment.from("three")));
        assertEquals(2 + 1, r.tokenUsage().inputTokenCount());
        for (Embedding e : r.content()) {
            double norm = 0;
            for (float v : e.vector()) {
                norm += v * v;
            }
            assertEquals(1.0, norm, 1e-5);
        }
    }
}
