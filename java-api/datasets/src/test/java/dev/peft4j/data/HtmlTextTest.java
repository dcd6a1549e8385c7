package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HtmlTextTest {
    /** &#0; is U+FFFD, as HTML5 reads it (the hand-written decoder left it as written). */
    @Test
    void decodesNamedAndNumericReferencesAndLeavesOthers() {
        assertEquals("a & b < c \u0159 \u2026 \u00e9 &A; &bogus; \uFFFD x", HtmlText.decodeEntities(
                "a &amp; b &lt; c &#345; &#x2026; &eacute; &A; &bogus; &#0; x"));
    }

    /** References the old fixed table did not know, and C1 numbers, which HTML5 reads as windows-1252 (as mailers meant). */
    @Test
    void decodesEveryHtml5NameAndWindows1252Numbers() {
        assertEquals("Gr\u00e2ce \u00e0 \u2665 \u20ac5 Map\u2122 \u2022 item", HtmlText.decodeEntities(
                "Gr&acirc;ce &agrave; &hearts; &euro;5 Map&#153; &#149; item"));
        assertEquals("Gr\u00e2ce \u00e0 Map\u2122", HtmlText.fromHtml("<p>Gr&acirc;ce &agrave; Map&#153;</p>"));
    }

    /** Cases a tag-matching regular expression gets wrong and an HTML parser does not. */
    @Test
    void htmlParsesAttributesScriptsAndBrokenMarkupAsABrowserDoes() {
        assertEquals("link text after", HtmlText.fromHtml("<a title=\"a>b\" href=\"x\">link</a> text after"));
        assertEquals("before\n\nafter", HtmlText.fromHtml(
                "<p>before</p><script>var s = \"</p><p>not text\";</script><style>p:after{content:'<b>'}</style><p>after</p>"));
        assertEquals("one two", HtmlText.fromHtml("one <!-- a <p> comment --> two"));
        assertEquals("Price", HtmlText.fromHtml("<font face=\"Times New Roman\"<font color=red>Price</font>"));
        assertEquals("body only", HtmlText.fromHtml("<title>a title</title>body only"));
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
