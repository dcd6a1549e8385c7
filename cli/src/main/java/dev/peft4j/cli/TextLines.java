package dev.peft4j.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a UTF-8 input file ({@code -}: standard input), numbered: each line is decoded on its own, so invalid
 * UTF-8 fails naming the file and the line it is on; a byte-order mark at the start is dropped (editors on Windows
 * write one, and it would otherwise become part of the first line's text); a line ends at "\n" or "\r\n"; a missing
 * file fails as "FILE: not found".
 */
final class TextLines implements Closeable {
    private final String name;
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long number;

    private TextLines(String name, InputStream in) {
        this.name = name;
        this.in = new BufferedInputStream(in, 1 << 16);
    }

    /** Opens {@code file}, or standard input for "-". */
    static TextLines open(String file) throws IOException {
        return file.equals("-") ? new TextLines("standard input", System.in)
                : new TextLines(file, Files.newInputStream(Path.of(file)));
    }

    /** The next line, or null at the end; its number is {@link #number()}. */
    String next() throws IOException {
        line.reset();
        int b;
        boolean any = false;
        while ((b = in.read()) >= 0) {
            any = true;
            if (b == '\n') {
                break;
            }
            line.write(b);
        }
        if (!any) {
            return null;
        }
        number++;
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        String text;
        try {
            text = decoder.reset().decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(name + " line " + number + ": not valid UTF-8 text", e);
        }
        return number == 1 && text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** The number of the line {@link #next()} returned last (1 for the first). */
    long number() {
        return number;
    }

    /** The input's name for messages: the file, or "standard input". */
    String name() {
        return name;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
