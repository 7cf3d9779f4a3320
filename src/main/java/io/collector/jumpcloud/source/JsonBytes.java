package io.collector.jumpcloud.source;

/**
 * Finds JSON values in a page's bytes by brackets and quotes alone, without decoding: what the
 * tolerant page reading uses to cut a page into elements when one of them is not valid JSON or
 * UTF-8 (a parser would stop at the first such element).
 */
final class JsonBytes {
    private JsonBytes() {
    }

    static int skipSpace(byte[] b, int i, int length) {
        while (i < length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /**
     * The end (exclusive) of the JSON value starting at {@code i}, found by brackets and quotes; -1 if
     * the body ends first. A scalar ends at a comma, a bracket or whitespace.
     */
    static int valueEnd(byte[] b, int i, int length) {
        if (i >= length) {
            return -1;
        }
        byte c = b[i];
        if (c == '{' || c == '[') {
            int depth = 0;
            for (; i < length; i++) {
                c = b[i];
                if (c == '"') {
                    i = stringEnd(b, i, length);
                    if (i < 0) {
                        return -1;
                    }
                    i--; // the loop's i++ steps past the closing quote
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0) {
                        return i + 1;
                    }
                }
            }
            return -1;
        }
        if (c == '"') {
            return stringEnd(b, i, length);
        }
        while (i < length && b[i] != ',' && b[i] != ']' && b[i] != '}' && b[i] != ' ' && b[i] != '\n' && b[i] != '\r' && b[i] != '\t') {
            i++;
        }
        return i;
    }

    /** The position after the closing quote of the string starting at {@code i}; -1 if it does not close. */
    private static int stringEnd(byte[] b, int i, int length) {
        for (i = i + 1; i < length; i++) {
            if (b[i] == '\\') {
                i++;
            } else if (b[i] == '"') {
                return i + 1;
            }
        }
        return -1;
    }
}
