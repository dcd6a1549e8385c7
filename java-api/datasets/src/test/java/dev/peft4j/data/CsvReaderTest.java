package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {

    private static List<List<String>> parse(String csv) throws IOException {
        CsvReader reader = new CsvReader(new StringReader(csv), "t.csv");
        List<List<String>> out = new ArrayList<>();
        List<String> r;
        while ((r = reader.next()) != null) {
            out.add(r);
        }
        return out;
    }

    @Test
    void rfc4180Quoting() throws IOException {
        assertEquals(List.of(List.of("a", "b,c", "say \"hi\"", ""), List.of("multi\nline", "", "x", "\"")),
                parse("a,\"b,c\",\"say \"\"hi\"\"\",\n\"multi\nline\",,x,\"\"\"\"\n"));
    }

    @Test
    void crlfLoneCrNoFinalNewlineAndBom() throws IOException {
        assertEquals(List.of(List.of("h1", "h2"), List.of("1", "2"), List.of("3", "4")),
                parse("\uFEFFh1,h2\r\n1,2\r3,4"));
        assertEquals(List.of(List.of("a\r\nb", "c")), parse("\"a\r\nb\",c\r\n"));
    }

    @Test
    void emptyFieldsAndBlankLines() throws IOException {
        assertEquals(List.of(List.of("", "", ""), List.of(""), List.of("x")), parse(",,\n\nx\n"));
    }

    @Test
    void recordLineIsWhereTheRecordStarts() throws IOException {
        CsvReader reader = new CsvReader(new StringReader("h\n\"a\nb\nc\"\nnext\n"), "t.csv");
        reader.next();
        reader.next();
        assertEquals(2, reader.recordLine());
        assertEquals(List.of("next"), reader.next());
        assertEquals(5, reader.recordLine());
    }

    @Test
    void errorsNameTheFileAndTheRecordsLine() {
        DatasetException open = assertThrows(DatasetException.class, () -> parse("a,b\n1,\"never closed\n2,3\n"));
        assertTrue(open.getMessage().startsWith("t.csv: record starting on line 2: malformed CSV")
                && open.getMessage().contains("EOF"), open.getMessage());
        DatasetException after = assertThrows(DatasetException.class, () -> parse("a,b\n\"x\"y,2\n"));
        assertTrue(after.getMessage().startsWith("t.csv: record starting on line 2: malformed CSV")
                && after.getMessage().contains("encapsulated token"), after.getMessage());
    }

    /** A quote inside an unquoted field is text, as Python's csv module and spreadsheets read it (it used to fail). */
    @Test
    void aQuoteInsideAnUnquotedFieldIsKept() throws IOException {
        assertEquals(List.of(List.of("a", "b"), List.of("ab\"c", "2")), parse("a,b\nab\"c,2\n"));
    }

    @Test
    void quotedFieldsKeepLineBreaksOfEveryKindAndTheNextRecordsLineIsRight() throws IOException {
        CsvReader reader = new CsvReader(new StringReader("\uFEFFtext,label\r\n\"one\r\ntwo\rthree\nfour\",1\r\nnext,0\r\n"),
                "t.csv");
        assertEquals(List.of("text", "label"), reader.next(), "the byte-order mark is not part of the first name");
        assertEquals(List.of("one\r\ntwo\rthree\nfour", "1"), reader.next());
        assertEquals(2, reader.recordLine());
        assertEquals(List.of("next", "0"), reader.next());
        assertEquals(6, reader.recordLine());
        assertEquals(null, reader.next());
    }
}
