package dev.peft4j.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * The readable text of a raw RFC 822 / MIME e-mail, parsed by Apache James mime4j: its subject, a blank line, then its
 * text bodies. Headers are dropped (except the subject, with RFC 2047 encoded words decoded). Bodies: text/plain parts
 * are kept; in multipart/alternative the text/plain part is preferred and text/html is used only when there is no
 * plain part (and likewise for a message that is only HTML), turned into text by {@link HtmlText#fromHtml};
 * message/rfc822 parts are read as messages; attachments (a {@code Content-Disposition: attachment}, or any non-text
 * type: images, application/*, signatures) are dropped. A text/plain body that holds an {@code <html>},
 * {@code <body>} or {@code <!DOCTYPE html>} tag is read as HTML (much spam is mislabelled).
 *
 * <p>Charsets: the raw message is already text (a stored record), so parts without a transfer encoding are taken as
 * written; quoted-printable and base64 parts are decoded to bytes by mime4j and then read in the part's charset
 * (UTF-8 if the bytes are valid UTF-8, else ISO-8859-1, when the charset is missing or unknown). The text is carried
 * through the parser as ISO-8859-1 bytes when every character fits (so each character is one byte, as in the
 * original message), else as UTF-8; CRLF line ends are read as LF, as before.
 */
public final class MailText {
    private MailText() {}

    private static final int MAX_DEPTH = 10;
    /** A "text/plain" body (or one with no type) that is really an HTML document, as much spam is. */
    private static final Pattern LOOKS_LIKE_HTML = Pattern.compile("(?i)<html[\\s>]|<body[\\s>]|<!doctype html");
    /** A header line break and the whitespace around it (RFC 5322 folding). */
    private static final Pattern FOLD = Pattern.compile("[ \\t]*\\r?\\n[ \\t]*");

    /** Subject, blank line, body text; either may be empty. */
    public static String extract(String rawMessage) {
        String text = rawMessage.replace("\r\n", "\n"); // stored text: one line ending throughout, as it is read
        Charset carrier = fitsLatin1(text) ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
        Message message;
        try {
            message = parser().parseMessage(new ByteArrayInputStream(text.getBytes(carrier)));
        } catch (IOException e) { // mime4j in lenient mode reads any bytes; an in-memory stream does not fail
            throw new DatasetException("mail message could not be parsed: " + e.getMessage(), e);
        }
        return messageText(message, carrier, 0);
    }

    private static DefaultMessageBuilder parser() {
        DefaultMessageBuilder b = new DefaultMessageBuilder();
        b.setMimeEntityConfig(MimeConfig.custom()
                .setStrictParsing(false)
                .setMaxLineLen(-1)
                .setMaxHeaderLen(-1)
                .setMaxHeaderCount(-1)
                .setMaxNestingDepth(MAX_DEPTH * 4)
                .build());
        b.setDecodeMonitor(DecodeMonitor.SILENT);
        b.setContentDecoding(true);
        return b;
    }

    private static String messageText(Message message, Charset carrier, int depth) {
        String subject = subject(message, carrier).strip();
        String body = bodyText(message, carrier, depth).strip();
        return subject.isEmpty() ? body : body.isEmpty() ? subject : subject + "\n\n" + body;
    }

    /** The first Subject field, unfolded, with encoded words decoded; "" when there is none. */
    private static String subject(Message message, Charset carrier) {
        Field f = message.getHeader() == null ? null : message.getHeader().getField("Subject");
        if (f == null) {
            return "";
        }
        ByteSequence raw = f.getRaw();
        String line = raw != null ? new String(raw.toByteArray(), carrier) : f.getName() + ": " + f.getBody();
        int colon = line.indexOf(':');
        String value = FOLD.matcher(line.substring(colon + 1)).replaceAll(" ").strip();
        return DecoderUtil.decodeEncodedWords(value, DecodeMonitor.SILENT, StandardCharsets.UTF_8);
    }

    private static boolean isAttachment(Entity e) {
        return "attachment".equalsIgnoreCase(e.getDispositionType());
    }

    private static String mediaType(Entity e) {
        return e.getMimeType() == null ? "text/plain" : e.getMimeType().toLowerCase(Locale.ROOT);
    }

    private static String bodyText(Entity part, Charset carrier, int depth) {
        if (depth > MAX_DEPTH) {
            return "";
        }
        Body body = part.getBody();
        if (body instanceof Multipart multipart) {
            List<Entity> children = multipart.getBodyParts();
            if ("alternative".equalsIgnoreCase(multipart.getSubType())) {
                for (String preferred : List.of("text/plain", "text/html")) {
                    for (Entity child : children) {
                        if (mediaType(child).equals(preferred) && !isAttachment(child)) {
                            return bodyText(child, carrier, depth + 1);
                        }
                    }
                }
                for (Entity child : children) {
                    if (child.getBody() instanceof Multipart) {
                        return bodyText(child, carrier, depth + 1);
                    }
                }
                return "";
            }
            List<String> texts = new ArrayList<>();
            for (Entity child : children) {
                String t = bodyText(child, carrier, depth + 1).strip();
                if (!t.isEmpty()) {
                    texts.add(t);
                }
            }
            return String.join("\n\n", texts);
        }
        if (isAttachment(part)) {
            return "";
        }
        if (body instanceof Message inner) {
            return messageText(inner, carrier, depth + 1);
        }
        String type = mediaType(part);
        if (!(body instanceof SingleBody single) || !(type.equals("text/plain") || type.equals("text/html"))) {
            return "";
        }
        String text = decode(part, single, carrier);
        return type.equals("text/html") || LOOKS_LIKE_HTML.matcher(text).find() ? HtmlText.fromHtml(text) : text;
    }

    /** The part's text: transfer-decoded bytes in the part's charset, or (no transfer encoding) as written. */
    private static String decode(Entity part, SingleBody body, Charset carrier) {
        byte[] bytes;
        try (InputStream in = body.getInputStream()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            return ""; // an undecodable body is dropped like an attachment
        }
        String encoding = part.getContentTransferEncoding() == null ? ""
                : part.getContentTransferEncoding().strip().toLowerCase(Locale.ROOT);
        return switch (encoding) {
            // the decoder ends each line with CRLF (RFC 2045's canonical form): back to this text's LF
            case "quoted-printable" -> decodeBytes(bytes, declaredCharset(part)).replace("\r\n", "\n");
            case "base64" -> decodeBytes(bytes, declaredCharset(part));
            default -> new String(bytes, carrier);
        };
    }

    /** The Content-Type's charset parameter, or null when there is none (Entity.getCharset() says us-ascii then). */
    private static String declaredCharset(Entity part) {
        Field f = part.getHeader() == null ? null : part.getHeader().getField("Content-Type");
        return f instanceof ContentTypeField ct ? ct.getCharset() : null;
    }

    /** Bytes in the named charset; unknown or missing: UTF-8 if valid, else ISO-8859-1. */
    static String decodeBytes(byte[] bytes, String charset) {
        if (charset != null) {
            try {
                return new String(bytes, Charset.forName(charset.strip()));
            } catch (IllegalArgumentException e) {
                // an unknown or illegal charset name: fall through
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

    private static boolean fitsLatin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }
}
