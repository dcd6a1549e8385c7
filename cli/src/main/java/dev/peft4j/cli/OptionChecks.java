package dev.peft4j.cli;

/**
 * Range and overflow checks of option values, run before a command loads a model or data; each failure is a
 * {@link UsageException} naming the option and the value.
 */
final class OptionChecks {
    private OptionChecks() {}

    /** {@code value} of {@code option} must be ≥ {@code min}. */
    static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new UsageException(option + " must be ≥ " + min + ", got " + value);
        }
    }

    /** {@code value} of {@code option} must lie in [{@code min}, {@code max}]. */
    static void between(String option, long value, long min, long max, String why) {
        if (value < min || value > max) {
            throw new UsageException(option + " must be between " + min + " and " + max + (why.isEmpty() ? "" : " (" + why + ")")
                    + ", got " + value);
        }
    }

    /** A finite {@code value} of {@code option} greater than 0. */
    static void positive(String option, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new UsageException(option + " must be a finite number > 0, got " + value);
        }
    }

    /** {@code a + b}, refused where it overflows an int ({@code what} says which options add up). */
    static int sum(String what, int a, int b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new UsageException(what + ": " + a + " + " + b + " is too large");
        }
    }

    /** {@code a × b}, refused where it overflows a long. */
    static long product(String what, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new UsageException(what + ": " + a + " × " + b + " is too large");
        }
    }
}
