package dev.peft4j.cli;

/**
 * A text made safe for one field of tab-separated output: a backslash, tab, newline and carriage return become
 * {@code \\}, {@code \t}, {@code \n}, {@code \r}, and every other control character (the escape that starts a
 * terminal control sequence included) {@code \u001b}-style, so that a text can neither split a line or a field nor
 * drive the terminal. Other characters pass unchanged.
 */
final class TsvText {
    private TsvText() {}

    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                        ? String.format("\\u%04x", (int) c) : null;
            };
            if (rep != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (rep != null) {
                    b.append(rep);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }
}
