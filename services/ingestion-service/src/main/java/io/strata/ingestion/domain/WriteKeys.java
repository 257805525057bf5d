package io.strata.ingestion.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Write keys are random, so a plain SHA-256 is enough to store them without keeping them. */
public final class WriteKeys {

    private WriteKeys() {}

    public static String hash(String writeKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(writeKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
