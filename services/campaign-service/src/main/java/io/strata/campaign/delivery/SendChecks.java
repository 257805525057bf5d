package io.strata.campaign.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The checks a message passes at the moment it is to be sent, in this order: the person exists and
 * is not suppressed → consent for the channel, purpose and sender (and, where the channel needs it,
 * a one-time subscription acceptance) → the tenant's global control group → quiet hours and
 * do-not-disturb days → frequency caps. Transactional messages skip the control group, quiet hours
 * and caps, and need only that the person has not refused them. Plain Java: the caller loads the
 * person's state under a per-person lock so that two sends cannot both take a cap's last slot.
 */
public final class SendChecks {

    private SendChecks() {}

    public static Decision check(SendRequest send, Recipient to, SendPolicy policy, List<PastSend> history) {
        if (to.deleted()) {
            return suppress(Decision.Reason.DELETED, "the person was deleted");
        }
        if (to.suppressed()) {
            return suppress(Decision.Reason.SUPPRESSED, "the person's identifiers are suppressed");
        }
        String purpose = send.marketing() ? "marketing" : "transactional";
        var consent = consent(to.consents(), send.channel(), purpose, send.sender());
        boolean granted = consent.orElse(!send.marketing());
        if (!granted) {
            return suppress(
                    Decision.Reason.NO_CONSENT,
                    consent.isPresent()
                            ? "refused " + send.channel() + " " + purpose + senderText(send.sender())
                            : "no " + send.channel() + " " + purpose + " consent" + senderText(send.sender()));
        }
        if (policy.quotaChannels().contains(send.channel())
                && to.subscriptionQuota().getOrDefault(send.template(), 0) < 1) {
            return suppress(
                    Decision.Reason.NO_SUBSCRIPTION_QUOTA,
                    "no one-time acceptance left for template " + send.template());
        }
        if (!send.marketing()) {
            return new Decision.Send();
        }
        if (to.globalControl()) {
            return suppress(Decision.Reason.GLOBAL_CONTROL, "in the global control group");
        }
        QuietHours quiet = policy.quietHours(send.channel());
        if (!quiet.allowed(send.at(), to.zone())) {
            boolean holiday =
                    quiet.doNotDisturb().contains(send.at().atZone(to.zone()).toLocalDate());
            var reason = holiday ? Decision.Reason.DO_NOT_DISTURB : Decision.Reason.QUIET_HOURS;
            Instant next = quiet.nextAllowed(send.at(), to.zone());
            return policy.deferInQuietHours()
                    ? new Decision.Defer(reason, next)
                    : new Decision.Suppress(reason, "quiet on the recipient's clock", Optional.empty());
        }
        for (Cap cap : policy.caps()) {
            if (!cap.applies(send.channel(), send.tags())) {
                continue;
            }
            var counted = new ArrayList<Instant>();
            for (PastSend past : history) {
                if (past.marketing() && cap.applies(past.channel(), past.tags())) {
                    counted.add(past.at());
                }
            }
            var blocked = cap.blockedUntil(send.at(), to.zone(), counted);
            if (blocked.isPresent()) {
                return new Decision.Suppress(
                        Decision.Reason.FREQUENCY_CAP,
                        "cap " + cap.name() + " (" + cap.limit() + " per " + window(cap.window()) + ") reached",
                        blocked);
            }
        }
        return new Decision.Send();
    }

    /**
     * The consent that decides: the latest statement for the channel and purpose, from this sender or
     * for every sender. Empty when the person never said.
     */
    static Optional<Boolean> consent(List<ConsentEntry> consents, String channel, String purpose, String sender) {
        return consents.stream()
                .filter(c -> c.channel().equals(channel) && c.purpose().equals(purpose))
                .filter(c -> c.sender().isEmpty() || c.sender().equals(sender))
                .max(Comparator.comparing(ConsentEntry::at)
                        .thenComparing(c -> !c.granted())) // a refusal at the same instant wins
                .map(ConsentEntry::granted);
    }

    private static String window(Cap.Window window) {
        return switch (window) {
            case Cap.Window.Rolling r -> r.length().toString();
            case Cap.Window.Calendar c -> "calendar " + c.unit().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String senderText(String sender) {
        return sender.isEmpty() ? "" : " from " + sender;
    }

    private static Decision suppress(Decision.Reason reason, String detail) {
        return new Decision.Suppress(reason, detail, Optional.empty());
    }
}
