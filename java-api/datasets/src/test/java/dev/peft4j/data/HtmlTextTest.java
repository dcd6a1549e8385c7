package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HtmlTextTest {
    @Test
    void decodesNamedAndNumericReferencesAndLeavesOthers() {
        assertEquals("a & b < c \u0159 \u2026 \u00e9 &A; &bogus; &#0; x", HtmlText.decodeEntities(
                "a &amp; b &lt; c &#345; &#x2026; &eacute; &A; &bogus; &#0; x"));
    }

    @Test
    void lightMarkupKeepsTextInAngleBrackets() {
        assertEquals("one\n\ntwo <grin> <33 <=8.", HtmlText.fromLightMarkup("one<br /><br/>two <grin> <33 <=8.<BR>"));
        assertEquals("emph and more", HtmlText.fromLightMarkup("<em>emph</em> and <I>more</I>"));
    }

    @Test
    void htmlDropsScriptsCommentsAndTags() {
        assertEquals("Title line\n\nSave 70% now & forever",
                HtmlText.fromHtml("<html><head><title>t</title><style>p{}</style></head><body><!-- c -->"
                        + "<h1>Title line</h1><p><font color=red>Save 70%</font>   now &amp; forever</p></body></html>"));
    }
}
