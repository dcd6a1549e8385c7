package dev.peft4j.data;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns markup into plain text: line-break tags, other tags, character references. */
public final class HtmlText {
    private HtmlText() {}

    private static final Pattern BREAK = Pattern.compile("(?i)<br\\s*/?>");
    private static final Pattern BLOCK = Pattern.compile("(?i)</?(p|div|tr|li|h[1-6]|hr|table)(\\s[^<>]*)?/?>");
    private static final Pattern FORMATTING = Pattern.compile("(?i)</?(i|em|b|strong|u|s|span|font)(\\s[^<>]*)?/?>");
    private static final Pattern ANY_TAG = Pattern.compile("(?s)<!--.*?-->|<![^<>]*>|</?[a-zA-Z][^<>]*>");
    private static final Pattern SCRIPT_STYLE = Pattern.compile("(?is)<(script|style|head)\\b.*?</\\1\\s*>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,7});");
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", " "), Map.entry("ndash", "–"), Map.entry("mdash", "—"),
            Map.entry("hellip", "…"), Map.entry("lsquo", "‘"), Map.entry("rsquo", "’"), Map.entry("ldquo", "“"),
            Map.entry("rdquo", "”"), Map.entry("copy", "©"), Map.entry("reg", "®"), Map.entry("eacute", "é"),
            Map.entry("egrave", "è"), Map.entry("aacute", "á"), Map.entry("uuml", "ü"), Map.entry("ouml", "ö"),
            Map.entry("auml", "ä"), Map.entry("szlig", "ß"), Map.entry("ccedil", "ç"), Map.entry("trade", "™"));

    /**
     * Text written with a little markup, such as an IMDB review: {@code <br />} becomes a line break,
     * formatting and paragraph tags ({@code <i>}, {@code <em>}, {@code <p>}, {@code <hr>}, ...) are dropped,
     * character references are decoded. Anything else in angle brackets ({@code < Cough >},
     * {@code <grin>}, {@code <3}) is the author's text and stays.
     */
    public static String fromLightMarkup(String s) {
        s = BREAK.matcher(s).replaceAll("\n");
        s = BLOCK.matcher(s).replaceAll("\n");
        s = FORMATTING.matcher(s).replaceAll("");
        return decodeEntities(s).strip();
    }

    /**
     * The text of an HTML document (an HTML e-mail body): script, style and head removed, line breaks and
     * block tags ({@code p, div, tr, li, h1-h6, hr, table}, opening or closing) become line breaks, every
     * other tag and comment is removed, references decoded, runs of spaces collapsed to one and runs of
     * more than two line breaks to two (so adjacent blocks are separated by one blank line).
     */
    public static String fromHtml(String s) {
        s = SCRIPT_STYLE.matcher(s).replaceAll("");
        s = BREAK.matcher(s).replaceAll("\n");
        s = BLOCK.matcher(s).replaceAll("\n");
        s = ANY_TAG.matcher(s).replaceAll("");
        s = decodeEntities(s);
        s = s.replaceAll("[ \\t\\x0B\\f\\r\\u00A0]+", " ");
        s = s.replaceAll(" ?\\n ?", "\n");
        s = s.replaceAll("\\n{3,}", "\n\n");
        return s.strip();
    }

    /**
     * Decodes {@code &name;} (a fixed table of common names), {@code &#N;} and {@code &#xH;}; a reference
     * that is unknown or names no valid code point (such as {@code Q&A;}) is left as written.
     */
    public static String decodeEntities(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = ENTITY.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            String body = m.group(1);
            String replacement = null;
            if (body.startsWith("#")) {
                int cp = body.length() > 1 && (body.charAt(1) == 'x' || body.charAt(1) == 'X')
                        ? Integer.parseInt(body.substring(2), 16)
                        : Integer.parseInt(body.substring(1));
                if (Character.isValidCodePoint(cp) && cp != 0 && (cp < 0xD800 || cp > 0xDFFF)) {
                    replacement = new String(Character.toChars(cp));
                }
            } else {
                replacement = NAMED.get(body);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement != null ? replacement : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
