package io.strata.campaign.activation;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a delivery, in the header {@value #HEADER}: {@code t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>" with the destination's secret>}. A receiver recomputes it and refuses a
 * delivery whose signature differs or whose time is too old (a replayed request).
 */
public final class Signatures {

    public static final String HEADER = "Strata-Signature";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Signatures() {}

    public static String sign(String secret, long unixSeconds, String body) {
        return "t=" + unixSeconds + ",v1=" + hmac(secret, unixSeconds + "." + body);
    }

    /** A new secret: 32 random bytes, hex, prefixed so it is recognisable in a vault. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "whsec_" + HexFormat.of().formatHex(bytes);
    }

    static String hmac(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
