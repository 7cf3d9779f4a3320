package io.collector.jumpcloud.observe;

/**
 * Text from the data (an event's service or id, an answer's body) as a log line shows it: control
 * characters escaped, so no value can start a line of its own or pass for another entry, and cut to
 * a length. The log's pattern never interprets arguments, so {@code ${...}} or {@code %s} stay text.
 */
public final class LogSafe {
    private LogSafe() {
    }

    public static String text(String s, int max) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 8);
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') { // C0, DEL, C1 (NEL), line separators
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= max && s.length() > max) {
            b.append('…');
        }
        return b.toString();
    }
}
