package dev.peft4j.data;

import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.parser.Parser;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/** Turns markup into plain text: HTML documents parsed by jsoup, and text written with a little markup. */
public final class HtmlText {
    private HtmlText() {}

    private static final Pattern BREAK = Pattern.compile("(?i)<br\\s*/?>");
    private static final Pattern LIGHT_BLOCK = Pattern.compile("(?i)</?(p|div|tr|li|h[1-6]|hr|table)(\\s[^<>]*)?/?>");
    private static final Pattern FORMATTING = Pattern.compile("(?i)</?(i|em|b|strong|u|s|span|font)(\\s[^<>]*)?/?>");
    /** Elements whose start and end become line breaks in {@link #fromHtml}. */
    private static final Set<String> BLOCKS = Set.of("p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
            "table");

    /**
     * Text written with a little markup, such as an IMDB review: {@code <br />} becomes a line break,
     * formatting and paragraph tags ({@code <i>}, {@code <em>}, {@code <p>}, {@code <hr>}, ...) are dropped,
     * character references are decoded. Anything else in angle brackets ({@code < Cough >},
     * {@code <grin>}, {@code <3}) is the author's text and stays, which is why this is not an HTML parse.
     */
    public static String fromLightMarkup(String s) {
        s = BREAK.matcher(s).replaceAll("\n");
        s = LIGHT_BLOCK.matcher(s).replaceAll("\n");
        s = FORMATTING.matcher(s).replaceAll("");
        return decodeEntities(s).strip();
    }

    /**
     * The text of an HTML document (an HTML e-mail body), parsed by jsoup as a browser would: only the body's text
     * is kept (head, title, script, style and comments are not text), {@code br} and the block elements
     * {@code p, div, tr, li, h1-h6, hr, table} (start and end) become line breaks, character references are decoded,
     * runs of spaces collapse to one and runs of more than two line breaks to two (so adjacent blocks are separated
     * by one blank line).
     */
    public static String fromHtml(String html) {
        Document doc = Jsoup.parse(html);
        StringBuilder out = new StringBuilder(html.length() / 2);
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode t) {
                    out.append(t.getWholeText());
                } else if (node instanceof Element e && (e.nameIs("br") || BLOCKS.contains(e.normalName()))) {
                    out.append('\n');
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element e && BLOCKS.contains(e.normalName())) {
                    out.append('\n');
                }
            }
        }, doc.body());
        String s = out.toString();
        s = s.replaceAll("[ \\t\\x0B\\f\\r\\u00A0]+", " ");
        s = s.replaceAll(" ?\\n ?", "\n");
        s = s.replaceAll("\\n{3,}", "\n\n");
        return s.strip();
    }

    /**
     * Decodes HTML character references as HTML5 does (jsoup's table of every named reference, {@code &#N;} and
     * {@code &#xH;}); text that is no reference (such as {@code Q&A;} or {@code &bogus;}) stays as written.
     */
    public static String decodeEntities(String s) {
        return s.indexOf('&') < 0 ? s : Parser.unescapeEntities(s, false);
    }
}
