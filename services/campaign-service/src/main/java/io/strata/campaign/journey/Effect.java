package io.strata.campaign.journey;

import io.strata.campaign.delivery.Decision;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** What a step asks to be written, in the same transaction as the instance's new state. */
public sealed interface Effect {

    /** The instance arrived at a node (counted per node: entered). */
    record Arrived(String node, Instant at) implements Effect {}

    /** The instance left a node (counted per node: exited; waiting = arrived − left). */
    record Left(String node, Instant at) implements Effect {}

    /** A message to dispatch, keyed for exactly-once: written to the send ledger before any channel call. */
    record Dispatch(
            String sendKey,
            String node,
            String channel,
            String template,
            String sender,
            boolean marketing,
            Set<String> tags,
            Optional<String> arm,
            Instant at)
            implements Effect {}

    /** A message held back, with the reason (reported by reason). */
    record Suppressed(
            String sendKey,
            String node,
            String channel,
            String template,
            boolean marketing,
            Decision.Reason reason,
            String detail,
            Instant at)
            implements Effect {}

    /** A message that waits for quiet hours to end, or a cap to free a slot. */
    record Deferred(String sendKey, String node, Decision.Reason reason, Instant until) implements Effect {}

    record Assigned(String node, String arm, boolean control, Instant at) implements Effect {}

    /** Sets ({@code value} present) or removes a tag of the profile. */
    record SetTag(String tag, Optional<String> value) implements Effect {}

    record Converted(String node, String goal, Optional<String> arm, Instant at) implements Effect {}

    record Ended(Instance.Status status, String reason, Instant at) implements Effect {}
}
