package io.strata.imports;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Segment call made from a file, with the line it came from (for error reports).
 *
 * @param event the call, or null when the row is refused
 * @param error why the row is refused, or null
 */
public record ImportRow(long line, ObjectNode event, String error) {

    public static ImportRow of(long line, ObjectNode event) {
        return new ImportRow(line, event, null);
    }

    public static ImportRow refused(long line, String error) {
        return new ImportRow(line, null, error);
    }
}
