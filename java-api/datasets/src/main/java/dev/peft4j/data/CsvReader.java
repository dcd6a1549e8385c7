package dev.peft4j.data;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV records: fields separated by commas, records by CRLF or LF; a field in double quotes may
 * hold commas, line breaks and doubled quotes ({@code ""} = one quote). Malformed input fails with the
 * source name, line and column: text after a closing quote, a quote inside an unquoted field, or a file
 * ending inside a quoted field. A UTF-8 byte-order mark at the start is skipped.
 */
public final class CsvReader {
    private final Reader in;
    private final String source;
    private int line = 1;
    private int column = 0;
    private int recordLine = 1;
    private int pushedBack = -2;
    private boolean first = true;

    public CsvReader(Reader in, String source) {
        this.in = in;
        this.source = source;
    }

    /** The physical line (1-based) on which the record last returned by {@link #next()} starts. */
    public int recordLine() {
        return recordLine;
    }

    /** The next record's fields, or null at the end of input. A blank line is a record with one empty field. */
    public List<String> next() throws IOException {
        int c = read();
        if (c == -1) {
            return null;
        }
        recordLine = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            if (c == '"' && field.isEmpty()) {
                c = readQuoted(field);
            } else {
                while (c != ',' && c != '\n' && c != '\r' && c != -1) {
                    if (c == '"') {
                        throw error("a quote inside an unquoted field (quote the whole field and double inner quotes)");
                    }
                    field.append((char) c);
                    c = read();
                }
            }
            fields.add(field.toString());
            field.setLength(0);
            if (c == ',') {
                c = read();
                continue;
            }
            if (c == '\r') {
                int n = read();
                if (n != '\n') {
                    unread(n);
                }
            }
            return fields;
        }
    }

    /** Reads a quoted field after its opening quote; returns the character after the closing quote. */
    private int readQuoted(StringBuilder field) throws IOException {
        int startLine = line;
        int startColumn = column;
        while (true) {
            int c = read();
            if (c == -1) {
                throw new DatasetException(source + ": line " + startLine + ", column " + startColumn
                        + ": quoted field never closed (the file ends inside it)");
            }
            if (c == '"') {
                int n = read();
                if (n == '"') {
                    field.append('"');
                    continue;
                }
                if (n != ',' && n != '\n' && n != '\r' && n != -1) {
                    throw error("text after the closing quote of a quoted field");
                }
                return n;
            }
            field.append((char) c);
        }
    }

    private DatasetException error(String what) {
        return new DatasetException(source + ": line " + line + ", column " + column + ": " + what);
    }

    private int read() throws IOException {
        int c;
        if (pushedBack != -2) {
            c = pushedBack;
            pushedBack = -2;
        } else {
            c = in.read();
            if (first) {
                first = false;
                if (c == '\uFEFF') {
                    c = in.read();
                }
            }
        }
        if (c == '\n') {
            line++;
            column = 0;
        } else if (c != -1) {
            column++;
        }
        return c;
    }

    private void unread(int c) {
        pushedBack = c;
        if (c == '\n') {
            line--;
        } else if (c != -1) {
            column--;
        }
    }
}
