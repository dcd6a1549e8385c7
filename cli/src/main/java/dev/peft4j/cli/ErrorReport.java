package dev.peft4j.cli;

import dev.peft4j.io.IoErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Any failure of a command as the one line the command line prints, and the hint under it: I/O failures in words
 * with the path ({@link IoErrors}), running out of memory or stack as what to do about it, and never a library's
 * class name; the stack trace only with {@code --debug}.
 */
final class ErrorReport {
    private ErrorReport() {}

    /** The failure as one line, without "peft4j: ". */
    static String message(Throwable t) {
        Throwable e = unwrap(t);
        String m;
        if (e instanceof OutOfMemoryError) {
            m = "out of memory (" + blankToNull(e.getMessage(), "Java heap space") + "): the JVM's heap of "
                    + MemoryEstimate.size(Runtime.getRuntime().maxMemory()) + " is too small for this";
        } else if (e instanceof StackOverflowError) {
            m = "the input nests too deeply to process (stack overflow)";
        } else if (e instanceof IOException io) {
            m = IoErrors.describe(io);
        } else if (e.getMessage() == null || e.getMessage().isBlank()) {
            m = words(e.getClass().getSimpleName());
        } else {
            m = e.getMessage();
        }
        return withoutClassNames(m);
    }

    /** The hint under the message. */
    static String hint(Throwable t, String command) {
        Throwable e = unwrap(t);
        if (e instanceof OutOfMemoryError) {
            long g = Math.max(2, 2 * ((Runtime.getRuntime().maxMemory() + (1L << 30) - 1) >> 30));
            return "hint: raise the heap, e.g. JAVA_TOOL_OPTIONS=-Xmx" + g + "g, or use smaller sizes; --debug shows where";
        }
        if (e instanceof UsageException) {
            return "hint: see " + command + " --help";
        }
        return "hint: " + command + " --help shows the options; --debug shows the stack trace";
    }

    /** The exception that says what happened: wrappers (unchecked I/O, execution) give way to their cause. */
    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof UncheckedIOException || e instanceof ExecutionException || e instanceof CompletionException
                || e instanceof picocli.CommandLine.ExecutionException) && e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        return e;
    }

    /** Removes "com.example.SomeException: " prefixes that wrapped exceptions put into their messages. */
    static String withoutClassNames(String m) {
        String cut = m.length() > 4000 ? m.substring(0, 4000) + "..." : m;
        return cut.replaceAll("(?:[a-z_][a-z0-9_]*\\.)+[A-Z]\\w*(?:Exception|Error): ", "")
                .replaceAll("\\s*See https://github\\.com/google/gson/\\S*", "");
    }

    private static String blankToNull(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }

    /** "NullPointerException" → "null pointer exception" (a last resort: the exception had no message). */
    private static String words(String className) {
        return "internal error (" + className.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
