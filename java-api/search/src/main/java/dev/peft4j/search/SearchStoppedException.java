package dev.peft4j.search;

/** The search stopped at its trial limit; everything finished is in the journal and a rerun resumes from it. */
public final class SearchStoppedException extends RuntimeException {
    public SearchStoppedException(String message) {
        super(message);
    }
}
