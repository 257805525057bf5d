package io.strata.campaign.delivery;

import java.time.Instant;
import java.util.Optional;

/** What the send-time checks decided. */
public sealed interface Decision {

    /** Why a message was held back; the ledger and the reports count suppressions by it. */
    enum Reason {
        DELETED,
        SUPPRESSED,
        NO_CONSENT,
        NO_SUBSCRIPTION_QUOTA,
        GLOBAL_CONTROL,
        QUIET_HOURS,
        DO_NOT_DISTURB,
        FREQUENCY_CAP
    }

    record Send() implements Decision {}

    /** Wait until {@code until} (the end of the quiet hours) and check everything again then. */
    record Defer(Reason reason, Instant until) implements Decision {}

    /**
     * Not sent. {@code retryAt} is when the same check could pass (a cap's slot frees), for a send
     * node that defers on suppression; empty when waiting cannot help (consent, deletion).
     */
    record Suppress(Reason reason, String detail, Optional<Instant> retryAt) implements Decision {}
}
