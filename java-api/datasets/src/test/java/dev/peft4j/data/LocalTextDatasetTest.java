package dev.peft4j.data;

import dev.peft4j.text.TextExample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTextDatasetTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static List<Integer> labels(LabeledDataset d) {
        return d.examples().stream().map(TextExample::label).toList();
    }

    @Test
    void csvWithNamedColumnsAndSortedLabels() throws IOException {
        Path f = write("reviews.csv", "id,review,sentiment\n1,\"Good, really \"\"good\"\"\",pos\n"
                + "2,\"two\nlines\",neg\n\n3,meh, neutral \n");
        LabeledDataset d = LocalTextDataset.read(f, "review", "sentiment", LabelOrder.SORTED);
        assertEquals(List.of("neg", "neutral", "pos"), d.labelNames());
        assertEquals(List.of("Good, really \"good\"", "two\nlines", "meh"),
                d.examples().stream().map(TextExample::text).toList());
        assertEquals(List.of(2, 0, 1), labels(d));
        assertEquals("reviews.csv", d.name());
    }

    @Test
    void firstSeenOrderAndNumericSortedOrder() throws IOException {
        Path f = write("n.csv", "text,label\na,10\nb,2\nc,10\nd,-1\n");
        LabeledDataset sorted = LocalTextDataset.readCsv(f, "text", "label", LabelOrder.SORTED);
        assertEquals(List.of("-1", "2", "10"), sorted.labelNames());
        assertEquals(List.of(2, 1, 2, 0), labels(sorted));
        LabeledDataset seen = LocalTextDataset.readCsv(f, "text", "label", LabelOrder.FIRST_SEEN);
        assertEquals(List.of("10", "2", "-1"), seen.labelNames());
        assertEquals(List.of(0, 1, 0, 2), labels(seen));
    }

    @Test
    void unlabelledWhenNoLabelColumn() throws IOException {
        LabeledDataset d = LocalTextDataset.readCsv(write("u.csv", "text\nhello\n"), "text", null, LabelOrder.SORTED);
        assertEquals(List.of(TextExample.unlabelled("hello")), d.examples());
        assertEquals(List.of(), d.labelNames());
    }

    @Test
    void csvErrorsNameFileLineAndColumn() throws IOException {
        Path noColumn = write("a.csv", "text,label\nx,1\n");
        DatasetException e1 = assertThrows(DatasetException.class,
                () -> LocalTextDataset.readCsv(noColumn, "review", "label", LabelOrder.SORTED));
        assertEquals(noColumn + ": line 1: no column \"review\" in the header [text, label]", e1.getMessage());

        Path ragged = write("b.csv", "text,label\nx,1\n\"y\nz\",1,extra\n");
        DatasetException e2 = assertThrows(DatasetException.class,
                () -> LocalTextDataset.readCsv(ragged, "text", "label", LabelOrder.SORTED));
        assertEquals(ragged + ": line 3: 3 fields but the header has 2", e2.getMessage());

        Path emptyLabel = write("c.csv", "text,label\nx,1\ny,\n");
        DatasetException e3 = assertThrows(DatasetException.class,
                () -> LocalTextDataset.readCsv(emptyLabel, "text", "label", LabelOrder.SORTED));
        assertEquals(emptyLabel + ": line 3, column \"label\": empty label", e3.getMessage());

        Path badUtf8 = Files.write(dir.resolve("d.csv"), new byte[] {'t', '\n', (byte) 0xC3, '\n'});
        DatasetException e4 = assertThrows(DatasetException.class,
                () -> LocalTextDataset.readCsv(badUtf8, "t", null, LabelOrder.SORTED));
        assertTrue(e4.getMessage().startsWith(badUtf8 + ": cannot read"), e4.getMessage());

        Path empty = write("e.csv", "");
        assertThrows(DatasetException.class, () -> LocalTextDataset.readCsv(empty, "t", null, LabelOrder.SORTED));
    }

    @Test
    void jsonlWithStringNumberAndBooleanLabels() throws IOException {
        Path f = write("d.jsonl", "{\"text\":\"a\",\"y\":1}\n\n{\"text\":\"b\\nc\",\"y\":\"0\",\"extra\":[1]}\n"
                + "{\"y\":true,\"text\":\"d\"}\n");
        LabeledDataset d = LocalTextDataset.read(f, "text", "y", LabelOrder.FIRST_SEEN);
        assertEquals(List.of("1", "0", "true"), d.labelNames());
        assertEquals(List.of(new TextExample("a", 0), new TextExample("b\nc", 1), new TextExample("d", 2)), d.examples());
    }

    @Test
    void jsonlErrorsNameFileLineAndField() throws IOException {
        Path bad = write("bad.jsonl", "{\"text\":\"a\",\"y\":1}\n{\"text\":\"b\",\"y\":1\n");
        DatasetException e1 = assertThrows(DatasetException.class,
                () -> LocalTextDataset.readJsonl(bad, "text", "y", LabelOrder.SORTED));
        assertTrue(e1.getMessage().startsWith(bad + ": line 2: malformed JSON"), e1.getMessage());

        Path noText = write("nt.jsonl", "{\"text\":\"a\",\"y\":1}\n{\"body\":\"b\",\"y\":1}\n");
        DatasetException e2 = assertThrows(DatasetException.class,
                () -> LocalTextDataset.readJsonl(noText, "text", "y", LabelOrder.SORTED));
        assertEquals(noText + ": line 2: missing field \"text\"", e2.getMessage());

        Path objLabel = write("ol.jsonl", "{\"text\":\"a\",\"y\":{\"k\":1}}\n");
        DatasetException e3 = assertThrows(DatasetException.class,
                () -> LocalTextDataset.readJsonl(objLabel, "text", "y", LabelOrder.SORTED));
        assertTrue(e3.getMessage().startsWith(objLabel + ": line 1: label field \"y\" must be"), e3.getMessage());

        Path array = write("arr.jsonl", "[1,2]\n");
        DatasetException e4 = assertThrows(DatasetException.class,
                () -> LocalTextDataset.readJsonl(array, "text", null, LabelOrder.SORTED));
        assertTrue(e4.getMessage().startsWith(array + ": line 1: expected a JSON object"), e4.getMessage());

        Path unknown = write("x.txt", "hi");
        assertThrows(DatasetException.class, () -> LocalTextDataset.read(unknown, "t", null, LabelOrder.SORTED));
    }
}
