package dev.peft4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** MIME cases read by mime4j, among them some the hand-written parser got wrong (each test says which). */
class MailTextTest {
    private static String b64(String s, java.nio.charset.Charset cs) {
        return Base64.getMimeEncoder().encodeToString(s.getBytes(cs));
    }

    @Test
    void alternativePrefersPlainTextWhicheverComesFirst() {
        String mail = "Subject: alt\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"=_b\"\n\n"
                + "preamble\n--=_b\nContent-Type: text/html\n\n<p>the <b>html</b> part</p>\n"
                + "--=_b\nContent-Type: text/plain; charset=us-ascii\n\nthe plain part\n--=_b--\nepilogue\n";
        assertEquals("alt\n\nthe plain part", MailText.extract(mail));
        assertEquals("alt\n\nthe html part", MailText.extract(mail.replace("text/plain", "image/gif")));
    }

    @Test
    void quotedPrintableDecodesInThePartsCharsetAndDropsTransportWhitespace() {
        String mail = "Subject: =?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?4oCU?= menu\nContent-Type: text/plain; charset=iso-8859-1\n"
                + "Content-Transfer-Encoding: quoted-printable\n\nUn caf=E9 cr=E8me,   \nsoft=\n break=3D done\n";
        // RFC 2045 6.7: trailing blanks on an encoded line were added in transport and are removed (the old parser kept them)
        assertEquals("Caf\u00e9\u2014 menu\n\nUn caf\u00e9 cr\u00e8me,\nsoft break= done", MailText.extract(mail));
    }

    @Test
    void base64BodiesInTheirCharsetAndLenientlyWhereChunksWereJoined() {
        String koi8 = "Subject: ru\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n"
                + b64("Привет, мир", java.nio.charset.Charset.forName("KOI8-R")) + "\n";
        assertEquals("ru\n\nПривет, мир", MailText.extract(koi8));
        // two base64 chunks glued together (padding in the middle): the old strict decoder dropped the whole part
        String glued = "Subject: gb\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                + b64("first ", StandardCharsets.UTF_8) + "\n" + b64("second", StandardCharsets.UTF_8) + "\n";
        assertEquals("gb\n\nfirst second", MailText.extract(glued));
    }

    @Test
    void withoutACharsetEncodedBytesAreUtf8WhenValidElseLatin1() {
        String utf8 = "Subject: s\nContent-Transfer-Encoding: quoted-printable\n\nna=C3=AFve\n";
        assertEquals("s\n\nna\u00efve", MailText.extract(utf8));
        String latin1 = "Subject: s\nContent-Transfer-Encoding: quoted-printable\n\nSkillMap=99 na=EFve\n";
        assertEquals("s\n\nSkillMap\u0099 na\u00efve", MailText.extract(latin1));
    }

    @Test
    void nestedMultipartsAttachmentsAndForwardedMessages() {
        String mail = "From someone Sat Jul 28 15:05:59 2001\nSubject: outer\nContent-Type: multipart/mixed; boundary=outer\n\n"
                + "--outer\nContent-Type: multipart/alternative; boundary=inner\n\n"
                + "--inner\nContent-Type: text/plain\n\nbody text\n--inner\nContent-Type: text/html\n\n<p>no</p>\n--inner--\n"
                + "--outer\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\nattached\n"
                + "--outer\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n"
                + "--outer\nContent-Type: message/rfc822\n\nSubject: fwd\nContent-Type: text/html\n\n<div>inner &amp; html</div>\n"
                + "--outer--\n";
        assertEquals("outer\n\nbody text\n\nfwd\n\ninner & html", MailText.extract(mail));
    }

    @Test
    void crlfMessagesReadLikeLfMessages() {
        String lf = "Subject: a\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nline one\nline two\n--b--\n";
        assertEquals(MailText.extract(lf), MailText.extract(lf.replace("\n", "\r\n")));
        assertEquals("a\n\nline one\nline two", MailText.extract(lf));
    }
}
