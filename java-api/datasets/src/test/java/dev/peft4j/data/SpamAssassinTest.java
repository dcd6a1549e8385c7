package dev.peft4j.data;

import dev.peft4j.text.TextExample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture spam/package/data mimics the package: file_list.json plus {id, group, checksum, text} JSON files. */
class SpamAssassinTest {

    private static LabeledDataset fixture() {
        return SpamAssassin.toDataset(SpamAssassin.readMessages(Fixtures.path("spam/package/data")));
    }

    @Test
    void readsMessagesInListOrderWithGroupLabels() {
        List<SpamAssassin.Message> messages = SpamAssassin.readMessages(Fixtures.path("spam/package/data"));
        assertEquals(List.of("easy-ham-1", "hard-ham-1", "spam-2", "spam-2"),
                messages.stream().map(SpamAssassin.Message::group).toList());
        assertEquals("00003", messages.get(2).id());
        assertTrue(messages.get(0).rawText().startsWith("From exmh-workers-admin@redhat.com"));
        LabeledDataset d = fixture();
        assertEquals(List.of(0, 0, 1, 1), d.examples().stream().map(TextExample::label).toList());
        assertEquals(List.of("ham", "spam"), d.labelNames());
    }

    @Test
    void plainMessageKeepsSubjectAndBodyButNoHeaders() {
        assertEquals("Re: New Sequences Window\n\n"
                + "Date:        Wed, 21 Aug 2002 10:54:46 -0500\n\n  | I can't reproduce this error.\n\n"
                + "For me it is very repeatable.", fixture().get(0).text());
    }

    @Test
    void alternativePrefersPlainTextAndDecodesQuotedPrintableAndEncodedWords() {
        assertEquals("Caf\u00e9 news\u2014 weekly\n\nDear reader, the caf\u00e9 opens at 9= nine. "
                + "This line is soft-broken.", fixture().get(1).text());
    }

    @Test
    void htmlOnlyMessageLosesItsTags() {
        assertEquals("Life Insurance - Why Pay More?\n\nSave up to 70% on life insurance.\n\nRates & quotes\nin minutes!",
                fixture().get(2).text());
    }

    @Test
    void base64TextIsDecodedAndAttachmentsDropped() {
        assertEquals("Money\n\nMake money fast \u2013 guaranteed.\nReply now.", fixture().get(3).text());
    }

    @Test
    void messageWithoutMimeHeadersOrSubject() {
        assertEquals("just a body", MailText.extract("From: a@b\nTo: c@d\n\njust a body\n"));
        assertEquals("only subject", MailText.extract("Subject: only subject\n\n"));
        assertEquals("Forwarded\n\ninner subject\n\ninner body", MailText.extract(
                "Subject: Forwarded\nContent-Type: multipart/mixed; boundary=b1\n\n--b1\nContent-Type: message/rfc822\n\n"
                        + "Subject: inner subject\n\ninner body\n--b1--\n"));
    }

    @Test
    void missingMessageFileNamesIt(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("file_list.json"), "[\"spam-1/00001.abc.txt\"]");
        DatasetException e = assertThrows(DatasetException.class, () -> SpamAssassin.readMessages(dir));
        assertTrue(e.getMessage().contains("00001.abc.json"), e.getMessage());
        Files.createDirectories(dir.resolve("spam-1"));
        Files.writeString(dir.resolve("spam-1/00001.abc.json"), "{\"id\":\"00001\",\"group\":\"spam-1\"}");
        DatasetException e2 = assertThrows(DatasetException.class, () -> SpamAssassin.readMessages(dir));
        assertTrue(e2.getMessage().contains("missing field \"text\""), e2.getMessage());
    }
}
