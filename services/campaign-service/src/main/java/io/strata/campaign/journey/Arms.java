package io.strata.campaign.journey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/** A profile's arm of a split: a hash of the salt and the profile, so it is the same on every entry. */
public final class Arms {

    private Arms() {}

    public static Node.Arm assign(String profileId, String salt, List<Node.Arm> arms) {
        double u = unit(salt + "/" + profileId);
        int total = arms.stream().mapToInt(Node.Arm::weight).sum();
        double cumulative = 0;
        for (Node.Arm arm : arms) {
            cumulative += (double) arm.weight() / total;
            if (u < cumulative) {
                return arm;
            }
        }
        return arms.get(arms.size() - 1);
    }

    /** A uniform number in [0, 1) from the first 53 bits of the text's SHA-256. */
    public static double unit(String text) {
        byte[] h = sha256(text);
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (h[i] & 0xff);
        }
        return (bits >>> 11) * 0x1.0p-53;
    }

    /**
     * The send key of a message: the instance, the node and the instance's iteration, hashed. The same
     * message is the same key however often its step runs again.
     */
    public static String sendKey(String instanceId, String node, int iteration) {
        byte[] h = sha256(instanceId + "/" + node + "/" + iteration);
        var hex = new StringBuilder(32);
        for (int i = 0; i < 16; i++) {
            hex.append(Character.forDigit((h[i] >> 4) & 0xf, 16)).append(Character.forDigit(h[i] & 0xf, 16));
        }
        return hex.toString();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
