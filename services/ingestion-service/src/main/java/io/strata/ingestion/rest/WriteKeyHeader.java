package io.strata.ingestion.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The write key of an {@code Authorization: Basic base64(key:)} header, as Segment sends it. */
public final class WriteKeyHeader {

    private WriteKeyHeader() {}

    /** The key, or null when the header is absent, not Basic, or not Base64. */
    public static String parse(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(
                    Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            String user = colon < 0 ? decoded : decoded.substring(0, colon);
            return user.isBlank() ? null : user;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
