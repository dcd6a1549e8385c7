package dev.peft4j.cli;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a UTF-8 input file ({@code -}: standard input), numbered: invalid UTF-8 fails naming the file and the
 * line, a byte-order mark at the start is dropped (editors on Windows write one, and it would otherwise become part
 * of the first line's text), and a missing file fails as "FILE: not found".
 */
final class TextLines implements Closeable {
    private final String name;
    private final BufferedReader reader;
    private long number;

    private TextLines(String name, InputStream in) {
        this.name = name;
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    /** Opens {@code file}, or standard input for "-". */
    static TextLines open(String file) throws IOException {
        return file.equals("-") ? new TextLines("standard input", System.in)
                : new TextLines(file, Files.newInputStream(Path.of(file)));
    }

    /** The next line, or null at the end; its number is {@link #number()}. */
    String next() throws IOException {
        String line;
        try {
            line = reader.readLine();
        } catch (CharacterCodingException e) {
            throw new IOException(name + " line " + (number + 1) + ": not valid UTF-8 text", e);
        }
        if (line == null) {
            return null;
        }
        number++;
        return number == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line;
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
        reader.close();
    }
}
