package io.strata.platform.logging;

/**
 * Caller-provided text (messageIds, names, reasons that quote input) as it may appear in a log line:
 * control characters and line separators escaped, so a value cannot end the line and forge another,
 * and long values cut.
 */
public final class LogSafe {

    public static final int MAX_LENGTH = 256;

    private LogSafe() {}

    public static String text(Object value) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        StringBuilder out = null;
        int limit = Math.min(s.length(), MAX_LENGTH);
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            boolean unsafe = c < 0x20 || c == 0x7f || c == '\u0085' || c == '\u2028' || c == '\u2029';
            if (unsafe && out == null) {
                out = new StringBuilder(limit + 16).append(s, 0, i);
            }
            if (out != null) {
                if (!unsafe) {
                    out.append(c);
                } else if (c == '\n') {
                    out.append("\\n");
                } else if (c == '\r') {
                    out.append("\\r");
                } else if (c == '\t') {
                    out.append("\\t");
                } else {
                    out.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        String safe = out == null ? s.substring(0, limit) : out.toString();
        return s.length() > MAX_LENGTH ? safe + "…(" + s.length() + " chars)" : safe;
    }
}
