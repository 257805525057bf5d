package io.strata.campaign.delivery;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a reply to a message opts the person out. For SMS, China's carriers' instructions: T, TD,
 * R or 退订 (also 回T退订 copied back, full-width letters, trailing punctuation), and STOP or
 * UNSUBSCRIBE in English; the reply opts out of marketing from the sender (the signature) it
 * answered. Anything else is a reply, not an instruction.
 */
public final class OptOutReplies {

    private static final Set<String> SMS = Set.of("T", "TD", "R", "退订", "回T退订", "STOP", "UNSUBSCRIBE", "退订回T");

    private OptOutReplies() {}

    public static boolean optsOut(String channel, String text) {
        if (!channel.equals("sms") || text == null) {
            return false;
        }
        // full-width letters to ASCII, case, and the spaces and punctuation around the instruction
        String t = Normalizer.normalize(text, Normalizer.Form.NFKC)
                .strip()
                .toUpperCase(Locale.ROOT)
                .replaceAll("^[\\p{P}\\p{Z}\\s]+|[\\p{P}\\p{Z}\\s]+$", "");
        return SMS.contains(t);
    }
}
