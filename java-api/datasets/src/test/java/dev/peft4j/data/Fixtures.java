package dev.peft4j.data;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Paths of the test fixtures under src/test/resources/data. */
final class Fixtures {
    private Fixtures() {}

    /** sha512 of imdb-fixture.tgz, computed with {@code openssl dgst -sha512 -binary | base64}. */
    static final String IMDB_FIXTURE_INTEGRITY =
            "sha512-AfVfT6GmmOjllIIRC3kcJXvCbL1E/bfe+8iXqljdPLg74AIUrI7pWJ7+YID4YpcirRXzNNK5Jch3STG8701hrg==";
    /** sha512 of moby-fixture.tgz, computed the same way. */
    static final String MOBY_FIXTURE_INTEGRITY =
            "sha512-cIqxvnXpFZa2FcESLPgT9UqUJ5T8/rctmNrFPNCt7YYDZG3YAp+xZc1MsLBM14BTjwdWUnxrzVlFLCW0e9jRxg==";

    static Path path(String relative) {
        URL url = Fixtures.class.getResource("/data/" + relative);
        if (url == null) {
            throw new IllegalStateException("missing test fixture data/" + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
