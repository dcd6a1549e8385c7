package dev.peft4j.data;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The readable text of a raw RFC 822 / MIME e-mail: its subject, a blank line, then its text bodies.
 * Headers are dropped (except the subject, with RFC 2047 encoded words decoded). Bodies: text/plain parts
 * are kept; in multipart/alternative the text/plain part is preferred and text/html is used only when there
 * is no plain part (and likewise for a message that is only HTML), with its tags removed; message/rfc822
 * parts are read as messages; attachments (a {@code Content-Disposition: attachment}, or any non-text type:
 * images, application/*, signatures) are dropped. quoted-printable and base64 text is decoded with the
 * part's charset (UTF-8 or ISO-8859-1 when it is missing or unknown). A text/plain body that holds an
 * {@code <html>}, {@code <body>} or {@code <!DOCTYPE html>} tag is read as HTML (much spam is mislabelled).
 */
public final class MailText {
    private MailText() {}

    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");
    private static final int MAX_DEPTH = 10;
    /** A "text/plain" body (or one with no type) that is really an HTML document, as much spam is. */
    private static final Pattern LOOKS_LIKE_HTML = Pattern.compile("(?i)<html[\\s>]|<body[\\s>]|<!doctype html");

    /** Subject, blank line, body text; either may be empty. */
    public static String extract(String rawMessage) {
        Part message = Part.parse(rawMessage);
        String subject = decodeHeader(message.header("subject")).strip();
        String body = bodyText(message, 0).strip();
        return subject.isEmpty() ? body : body.isEmpty() ? subject : subject + "\n\n" + body;
    }

    /** One MIME entity: unfolded headers (lower-case names, first occurrence wins) and the raw body. */
    record Part(Map<String, String> headers, String body) {
        static Part parse(String raw) {
            String s = raw.replace("\r\n", "\n");
            int split = s.startsWith("\n") ? 0 : s.indexOf("\n\n");
            String head = split < 0 ? s : s.substring(0, split);
            String body = split < 0 ? "" : s.substring(split + (split == 0 ? 1 : 2));
            Map<String, String> headers = new LinkedHashMap<>();
            String name = null;
            StringBuilder value = new StringBuilder();
            for (String line : head.split("\n", -1)) {
                if ((line.startsWith(" ") || line.startsWith("\t")) && name != null) {
                    value.append(' ').append(line.strip());
                    continue;
                }
                if (name != null) {
                    headers.putIfAbsent(name, value.toString());
                }
                int colon = line.indexOf(':');
                if (colon > 0 && !line.substring(0, colon).contains(" ")) {
                    name = line.substring(0, colon).toLowerCase(Locale.ROOT);
                    value.setLength(0);
                    value.append(line.substring(colon + 1).strip());
                } else {
                    name = null; // an mbox "From " line or junk
                }
            }
            if (name != null) {
                headers.putIfAbsent(name, value.toString());
            }
            return new Part(headers, body);
        }

        String header(String name) {
            return headers.getOrDefault(name, "");
        }

        /** The lower-case media type, {@code text/plain} when none is given. */
        String mediaType() {
            String ct = header("content-type");
            String type = ct.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            return type.contains("/") ? type : "text/plain";
        }

        String parameter(String key) {
            Matcher m = Pattern.compile("(?i)(?:^|;)\\s*" + key + "\\s*=\\s*(\"([^\"]*)\"|[^;\\s]+)")
                    .matcher(header("content-type"));
            return m.find() ? (m.group(2) != null ? m.group(2) : m.group(1)) : null;
        }

        boolean isAttachment() {
            return header("content-disposition").toLowerCase(Locale.ROOT).startsWith("attachment");
        }
    }

    private static String bodyText(Part part, int depth) {
        if (depth > MAX_DEPTH) {
            return "";
        }
        String type = part.mediaType();
        if (type.startsWith("multipart/")) {
            List<Part> children = children(part);
            if (type.equals("multipart/alternative")) {
                for (String preferred : List.of("text/plain", "text/html")) {
                    for (Part child : children) {
                        if (child.mediaType().equals(preferred) && !child.isAttachment()) {
                            return bodyText(child, depth + 1);
                        }
                    }
                }
                for (Part child : children) {
                    if (child.mediaType().startsWith("multipart/")) {
                        return bodyText(child, depth + 1);
                    }
                }
                return "";
            }
            List<String> texts = new ArrayList<>();
            for (Part child : children) {
                String t = bodyText(child, depth + 1).strip();
                if (!t.isEmpty()) {
                    texts.add(t);
                }
            }
            return String.join("\n\n", texts);
        }
        if (part.isAttachment()) {
            return "";
        }
        if (type.equals("message/rfc822")) {
            return extract(part.body());
        }
        if (type.equals("text/plain")) {
            String text = decodeBody(part);
            return LOOKS_LIKE_HTML.matcher(text).find() ? HtmlText.fromHtml(text) : text;
        }
        if (type.equals("text/html")) {
            return HtmlText.fromHtml(decodeBody(part));
        }
        return "";
    }

    /** The parts between {@code --boundary} lines; preamble and epilogue are dropped. */
    private static List<Part> children(Part part) {
        String boundary = part.parameter("boundary");
        List<Part> out = new ArrayList<>();
        if (boundary == null || boundary.isEmpty()) {
            return out;
        }
        String delimiter = "--" + boundary;
        StringBuilder current = null;
        for (String line : part.body().replace("\r\n", "\n").split("\n", -1)) {
            String trimmed = line.stripTrailing();
            if (trimmed.equals(delimiter) || trimmed.equals(delimiter + "--")) {
                if (current != null) {
                    out.add(Part.parse(current.toString()));
                }
                if (trimmed.endsWith(delimiter + "--")) {
                    return out;
                }
                current = new StringBuilder();
            } else if (current != null) {
                current.append(line).append('\n');
            }
        }
        if (current != null && !current.isEmpty()) {
            out.add(Part.parse(current.toString())); // no closing delimiter: keep what there is
        }
        return out;
    }

    private static String decodeBody(Part part) {
        String encoding = part.header("content-transfer-encoding").strip().toLowerCase(Locale.ROOT);
        String charset = part.parameter("charset");
        return switch (encoding) {
            case "quoted-printable" -> decodeBytes(quotedPrintable(part.body(), false), charset);
            case "base64" -> {
                try {
                    yield decodeBytes(Base64.getMimeDecoder().decode(part.body().strip()), charset);
                } catch (IllegalArgumentException e) {
                    yield ""; // not decodable: dropped like an attachment
                }
            }
            default -> part.body();
        };
    }

    /**
     * quoted-printable bytes: {@code =XX} is the byte 0xXX, {@code =} at a line end is a soft break,
     * a malformed {@code =} stays literal; characters above 0xFF are written in UTF-8.
     * In an encoded word ({@code inHeader}) {@code _} is a space.
     */
    static byte[] quotedPrintable(String s, boolean inHeader) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                int end = i + 1;
                while (end < s.length() && (s.charAt(end) == ' ' || s.charAt(end) == '\t')) {
                    end++;
                }
                if (end < s.length() && s.charAt(end) == '\n') {
                    i = end;
                    continue;
                }
                if (end == s.length()) {
                    break;
                }
                if (i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                    continue;
                }
                out.write('=');
            } else if (c == '_' && inHeader) {
                out.write(' ');
            } else if (c < 0x100) {
                out.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toByteArray();
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Bytes in the named charset; unknown or missing: UTF-8 if valid, else ISO-8859-1. */
    static String decodeBytes(byte[] bytes, String charset) {
        if (charset != null) {
            try {
                Charset cs = Charset.forName(charset.strip());
                return new String(bytes, cs);
            } catch (IllegalArgumentException e) {
                // unknown charset: fall through
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    /** A header value with RFC 2047 encoded words ({@code =?charset?B|Q?text?=}) decoded. */
    static String decodeHeader(String value) {
        Matcher m = ENCODED_WORD.matcher(value);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            String between = value.substring(last, m.start());
            boolean adjacentWords = last > 0 && between.isBlank();
            out.append(adjacentWords ? "" : between); // whitespace between two encoded words is dropped
            byte[] bytes;
            try {
                bytes = m.group(2).equalsIgnoreCase("B")
                        ? Base64.getDecoder().decode(m.group(3))
                        : quotedPrintable(m.group(3), true);
            } catch (IllegalArgumentException e) {
                out.append(m.group());
                last = m.end();
                continue;
            }
            out.append(decodeBytes(bytes, m.group(1)));
            last = m.end();
        }
        out.append(value.substring(last));
        return out.toString();
    }
}
