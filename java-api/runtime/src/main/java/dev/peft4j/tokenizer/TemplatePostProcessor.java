package dev.peft4j.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Hugging Face's TemplateProcessing post-processor: a template for single texts ({@code [CLS] $A [SEP]}) and
 * one for pairs ({@code [CLS] $A [SEP] $B:1 [SEP]:1}); each piece is a special token or a sequence, with the
 * token type id it carries. BertProcessing ({@code cls}, {@code sep}) is read as the equivalent template.
 */
public final class TemplatePostProcessor {

    /** One template piece: a special token (with its id) or sequence A/B, and its type id. */
    record Piece(String special, int specialId, boolean sequenceB, int typeId) {
        boolean isSequence() {
            return special == null;
        }
    }

    private final List<Piece> single;
    private final List<Piece> pair;

    TemplatePostProcessor(List<Piece> single, List<Piece> pair) {
        this.single = List.copyOf(single);
        this.pair = List.copyOf(pair);
    }

    /** Reads the {@code post_processor} object of a tokenizer.json. */
    static TemplatePostProcessor fromJson(JsonObject pp) {
        String type = pp.get("type").getAsString();
        if (type.equals("BertProcessing")) {
            JsonArray cls = pp.getAsJsonArray("cls");
            JsonArray sep = pp.getAsJsonArray("sep");
            Piece c = new Piece(cls.get(0).getAsString(), cls.get(1).getAsInt(), false, 0);
            Piece s0 = new Piece(sep.get(0).getAsString(), sep.get(1).getAsInt(), false, 0);
            Piece s1 = new Piece(sep.get(0).getAsString(), sep.get(1).getAsInt(), false, 1);
            Piece a = new Piece(null, -1, false, 0);
            Piece b = new Piece(null, -1, true, 1);
            return new TemplatePostProcessor(List.of(c, a, s0), List.of(c, a, s0, b, s1));
        }
        if (!type.equals("TemplateProcessing")) {
            throw new IllegalArgumentException("post_processor type '" + type + "' is not supported "
                    + "(TemplateProcessing or BertProcessing)");
        }
        JsonObject specials = pp.getAsJsonObject("special_tokens");
        return new TemplatePostProcessor(checked(pieces(pp.getAsJsonArray("single"), specials), "single", false),
                checked(pieces(pp.getAsJsonArray("pair"), specials), "pair", true));
    }

    /** A template must place sequence A once, and sequence B once in a pair template and never in a single one. */
    private static List<Piece> checked(List<Piece> template, String which, boolean pair) {
        long a = template.stream().filter(p -> p.isSequence() && !p.sequenceB()).count();
        long b = template.stream().filter(p -> p.isSequence() && p.sequenceB()).count();
        if (a != 1 || b != (pair ? 1 : 0)) {
            throw new IllegalArgumentException("post_processor." + which + " must hold sequence A once"
                    + (pair ? " and B once" : " and no B") + ", found A " + a + " times and B " + b + " times");
        }
        return template;
    }

    private static List<Piece> pieces(JsonArray template, JsonObject specials) {
        List<Piece> out = new ArrayList<>();
        for (JsonElement e : template) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("SpecialToken")) {
                JsonObject s = o.getAsJsonObject("SpecialToken");
                String name = s.get("id").getAsString();
                JsonObject def = specials.getAsJsonObject(name);
                if (def == null || def.getAsJsonArray("ids").size() != 1) {
                    throw new IllegalArgumentException("special token '" + name + "' must map to exactly one id");
                }
                out.add(new Piece(def.getAsJsonArray("tokens").get(0).getAsString(),
                        def.getAsJsonArray("ids").get(0).getAsInt(), false, s.get("type_id").getAsInt()));
            } else {
                JsonObject s = o.getAsJsonObject("Sequence");
                String id = s.get("id").getAsString();
                if (!id.equals("A") && !id.equals("B")) {
                    throw new IllegalArgumentException("post_processor sequence id must be A or B, got '" + id + "'");
                }
                out.add(new Piece(null, -1, id.equals("B"), s.get("type_id").getAsInt()));
            }
        }
        return out;
    }

    /** How many special tokens the template adds. */
    int addedTokens(boolean isPair) {
        return (int) (isPair ? pair : single).stream().filter(p -> !p.isSequence()).count();
    }

    /** Assembles {@code a} (and {@code b} when not null) with the special tokens; mask all ones. */
    Encoding apply(List<String> aTokens, int[] aIds, List<String> bTokens, int[] bIds) {
        List<Piece> template = bIds == null ? single : pair;
        int n = addedTokens(bIds != null) + aIds.length + (bIds == null ? 0 : bIds.length);
        int[] ids = new int[n];
        int[] types = new int[n];
        int[] mask = new int[n];
        List<String> tokens = new ArrayList<>(n);
        int k = 0;
        for (Piece p : template) {
            if (!p.isSequence()) {
                ids[k] = p.specialId();
                types[k++] = p.typeId();
                tokens.add(p.special());
                continue;
            }
            int[] src = p.sequenceB() ? bIds : aIds;
            tokens.addAll(p.sequenceB() ? bTokens : aTokens);
            for (int id : src) {
                ids[k] = id;
                types[k++] = p.typeId();
            }
        }
        java.util.Arrays.fill(mask, 1);
        return new Encoding(ids, types, mask, List.copyOf(tokens));
    }
}
