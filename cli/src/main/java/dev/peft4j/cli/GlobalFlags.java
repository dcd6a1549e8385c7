package dev.peft4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The flags every command takes, anywhere on the line: {@code --debug} (a failure prints its stack trace under the
 * one-line message) and {@code --verbose} (the library's INFO log lines, which are off by default). They are taken
 * out of the arguments before the command line parses the rest; an argument after {@code --} is left alone.
 *
 * @param args the arguments without the flags
 */
record GlobalFlags(boolean debug, boolean verbose, String[] args) {
    static final String DEBUG = "--debug";
    static final String VERBOSE = "--verbose";

    /** The library's loggers (kept referenced: the logging framework holds loggers weakly). */
    private static final Logger PEFT4J = Logger.getLogger("dev.peft4j");

    static GlobalFlags parse(String[] args) {
        boolean debug = false;
        boolean verbose = false;
        boolean options = true;
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (options && a.equals("--")) {
                options = false;
            }
            if (options && a.equals(DEBUG)) {
                debug = true;
            } else if (options && a.equals(VERBOSE)) {
                verbose = true;
            } else {
                rest.add(a);
            }
        }
        return new GlobalFlags(debug, verbose, rest.toArray(String[]::new));
    }

    /** Sets the library's log level: INFO with {@code --verbose}, else warnings only. */
    void applyLogLevel() {
        PEFT4J.setLevel(verbose ? Level.INFO : Level.WARNING);
    }
}
