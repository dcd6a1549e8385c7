package dev.peft4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.peft.LoraTarget;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HfNamingTest {

    @Test
    void gpt2KeepsQKVInTheFusedCAttnAndNamesOurSplitModulesApart() {
        assertEquals("h.3.attn.c_attn", HfNaming.GPT2.hfModule(3, LoraTarget.KEY));
        assertEquals("h.3.attn.key", HfNaming.GPT2.ourModule(3, LoraTarget.KEY));
        assertEquals("h.0.mlp.c_proj", HfNaming.GPT2.hfModule(0, LoraTarget.FFN_OUT));
        assertTrue(HfNaming.GPT2.inFusedQkv(LoraTarget.VALUE));
        assertFalse(HfNaming.GPT2.inFusedQkv(LoraTarget.ATTENTION_OUTPUT));
        assertFalse(HfNaming.BERT.inFusedQkv(LoraTarget.QUERY));
        assertEquals("encoder.layer.2.attention.self.query", HfNaming.BERT.hfModule(2, LoraTarget.QUERY));
        assertEquals(HfNaming.BERT.hfModule(2, LoraTarget.QUERY), HfNaming.BERT.ourModule(2, LoraTarget.QUERY));
    }

    @Test
    void bertsOutputDenseSuffixIsAmbiguousUnlessTheAttentionOutputIsTargetedToo() {
        assertFalse(HfNaming.BERT.suffixesAreExact(EnumSet.of(LoraTarget.FFN_OUT)));
        assertFalse(HfNaming.BERT.suffixesAreExact(EnumSet.of(LoraTarget.KEY, LoraTarget.VALUE, LoraTarget.FFN_OUT)));
        assertTrue(HfNaming.BERT.suffixesAreExact(EnumSet.of(LoraTarget.FFN_OUT, LoraTarget.ATTENTION_OUTPUT)));
        assertTrue(HfNaming.BERT.suffixesAreExact(EnumSet.of(LoraTarget.QUERY, LoraTarget.VALUE)));
    }

    @Test
    void everyGpt2TargetSetMatchesExactlyBySuffix() {
        LoraTarget[] all = LoraTarget.values();
        for (int mask = 1; mask < 1 << all.length; mask++) {
            Set<LoraTarget> chosen = EnumSet.noneOf(LoraTarget.class);
            for (int i = 0; i < all.length; i++) {
                if ((mask & 1 << i) != 0) {
                    chosen.add(all[i]);
                }
            }
            assertTrue(HfNaming.GPT2.suffixesAreExact(chosen), chosen.toString());
        }
    }
}
