package dev.peft4j.cli;

/**
 * A bad option value found by a command's own checks (a range, an overflow, a size that cannot fit memory): the
 * command line prints its message and a hint and exits 2, the usage-error code, as for an unparsable value.
 */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
