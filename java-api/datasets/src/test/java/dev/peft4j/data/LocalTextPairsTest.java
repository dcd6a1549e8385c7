package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.text.TextPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTextPairsTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    @Test
    void csvWithNamedColumnsInAnyOrder() throws IOException {
        Path f = write("pairs.csv", "\uFEFFid,positive,query\n1,\"Paris is the capital of France\",capital of france\n\n"
                + "2,\"two\nlines, \"\"quoted\"\"\",what is it\n");
        assertEquals(List.of(new TextPair("capital of france", "Paris is the capital of France"),
                new TextPair("what is it", "two\nlines, \"quoted\"")), LocalTextPairs.read(f, "query", "positive"));
    }

    @Test
    void jsonlWithNamedFields() throws IOException {
        Path f = write("pairs.jsonl", "{\"a\":\"one\",\"p\":\"uno\"}\n\n{\"p\":\"dos\",\"a\":\"two\",\"x\":1}\n");
        assertEquals(List.of(new TextPair("one", "uno"), new TextPair("two", "dos")), LocalTextPairs.read(f, "a", "p"));
        assertEquals(LocalTextPairs.readJsonl(f, "a", "p"), LocalTextPairs.read(write("pairs.ndjson", Files.readString(f)), "a", "p"));
    }

    @Test
    void errorsNameTheFileTheLineAndTheColumn() throws IOException {
        Path noColumn = write("a.csv", "anchor,pos\nx,y\n");
        DatasetException e1 = assertThrows(DatasetException.class, () -> LocalTextPairs.read(noColumn, "anchor", "positive"));
        assertEquals(noColumn + ": line 1: no column \"positive\" in the header [anchor, pos]", e1.getMessage());

        Path emptyText = write("b.csv", "anchor,positive\nx,y\n\"a\nb\",\" \"\n");
        DatasetException e2 = assertThrows(DatasetException.class, () -> LocalTextPairs.read(emptyText, "anchor", "positive"));
        assertEquals(emptyText + ": line 3, column \"positive\": empty text (a pair needs two texts)", e2.getMessage());

        Path ragged = write("c.csv", "anchor,positive\nx,y,z\n");
        DatasetException e3 = assertThrows(DatasetException.class, () -> LocalTextPairs.read(ragged, "anchor", "positive"));
        assertEquals(ragged + ": line 2: 3 fields but the header has 2", e3.getMessage());

        Path malformed = write("d.csv", "anchor,positive\nx,\"y\"z\n");
        DatasetException e4 = assertThrows(DatasetException.class, () -> LocalTextPairs.read(malformed, "anchor", "positive"));
        assertTrue(e4.getMessage().startsWith(malformed + ": record starting on line 2: malformed CSV"), e4.getMessage());

        Path missing = write("e.jsonl", "{\"anchor\":\"a\",\"positive\":\"b\"}\n{\"anchor\":\"c\"}\n");
        DatasetException e5 = assertThrows(DatasetException.class, () -> LocalTextPairs.read(missing, "anchor", "positive"));
        assertEquals(missing + ": line 2: missing field \"positive\"", e5.getMessage());

        Path notString = write("f.jsonl", "{\"anchor\":\"a\",\"positive\":3}\n");
        DatasetException e6 = assertThrows(DatasetException.class, () -> LocalTextPairs.read(notString, "anchor", "positive"));
        assertTrue(e6.getMessage().startsWith(notString + ": line 1: field \"positive\" must be a string"), e6.getMessage());

        Path blankJson = write("g.jsonl", "{\"anchor\":\"\",\"positive\":\"b\"}\n");
        DatasetException e7 = assertThrows(DatasetException.class, () -> LocalTextPairs.read(blankJson, "anchor", "positive"));
        assertEquals(blankJson + ": line 1, field \"anchor\": empty text (a pair needs two texts)", e7.getMessage());

        Path headerOnly = write("h.csv", "anchor,positive\n");
        DatasetException e8 = assertThrows(DatasetException.class, () -> LocalTextPairs.read(headerOnly, "anchor", "positive"));
        assertTrue(e8.getMessage().contains("no pairs"), e8.getMessage());

        Path same = write("i.csv", "t\nx\n");
        assertThrows(DatasetException.class, () -> LocalTextPairs.read(same, "t", "t"));
        assertThrows(DatasetException.class, () -> LocalTextPairs.read(write("j.tsv", "a\tb\n"), "a", "b"));
    }
}
