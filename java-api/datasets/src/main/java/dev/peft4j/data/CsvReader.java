package dev.peft4j.data;

import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * RFC 4180 CSV records read by Apache Commons CSV: fields separated by commas, records by CRLF, LF or CR; a field in
 * double quotes may hold commas, line breaks and doubled quotes ({@code ""} = one quote); a quote inside an unquoted
 * field is kept as a character (as Python's csv module and spreadsheets read it). A blank line is a record with one
 * empty field. A UTF-8 byte-order mark at the start is skipped. Malformed input (text after a closing quote, a file
 * ending inside a quoted field) fails with a {@link DatasetException} naming the source and the record's line.
 */
public final class CsvReader {
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();

    private final Reader in;
    private final String source;
    private CSVParser parser;
    private Iterator<CSVRecord> records;
    private int recordLine = 1;

    public CsvReader(Reader in, String source) {
        this.in = in;
        this.source = source;
    }

    /** The physical line (1-based) on which the record last returned by {@link #next()} starts. */
    public int recordLine() {
        return recordLine;
    }

    /** The next record's fields, or null at the end of input. */
    public List<String> next() throws IOException {
        if (parser == null) {
            parser = CSVParser.builder().setReader(withoutByteOrderMark(in)).setFormat(FORMAT).get();
            records = parser.iterator();
        }
        long linesBefore = parser.getCurrentLineNumber();
        try {
            if (!records.hasNext()) {
                return null;
            }
            CSVRecord r = records.next();
            recordLine = (int) Math.min(Integer.MAX_VALUE, linesBefore + 1);
            return r.toList();
        } catch (UncheckedIOException e) { // the iterator's wrapper of the parser's IOException
            if (e.getCause() instanceof CSVException syntax) {
                throw new DatasetException(source + ": record starting on line " + (linesBefore + 1) + ": malformed CSV: "
                        + syntax.getMessage() + " (quote the whole field and double the quotes inside it)", syntax);
            }
            throw e.getCause(); // reading failed (such as bytes that are not UTF-8): the caller names the file
        }
    }

    private static Reader withoutByteOrderMark(Reader r) throws IOException {
        PushbackReader p = new PushbackReader(r, 1);
        int c = p.read();
        if (c != -1 && c != '\uFEFF') {
            p.unread(c);
        }
        return p;
    }
}
