package io.strata.campaign.journey;

import java.time.Instant;
import java.util.Optional;

/**
 * A profile's run through one version of a journey. {@code node} is where it is (waiting, unless it
 * has ended); {@code arrivedAt} when it got there; {@code assignedAt} when a split gave it its arm
 * (its entry until then), from which goals count; {@code wakeAt} its one pending timer.
 */
public record Instance(
        String id,
        String profileId,
        String journeyKey,
        int version,
        int iteration,
        Status status,
        String node,
        Instant enteredAt,
        Instant arrivedAt,
        Optional<String> arm,
        Instant assignedAt,
        Optional<Instant> wakeAt) {

    public enum Status {
        ACTIVE,
        COMPLETED,
        EXITED
    }

    /** A new instance at the journey's trigger, not yet started. */
    public static Instance start(String id, String profileId, Journey journey, int iteration, Instant at) {
        return new Instance(
                id,
                profileId,
                journey.key(),
                journey.version(),
                iteration,
                Status.ACTIVE,
                journey.trigger().id(),
                at,
                at,
                Optional.empty(),
                at,
                Optional.empty());
    }

    /**
     * An entry ahead of a held clock (an event from later in the history being replayed): it waits
     * at the trigger until the clock reaches it, and starts then, when the re-entry rule is checked
     * in the order the entries happened rather than arrived.
     */
    public static Instance pending(String id, String profileId, Journey journey, int iteration, Instant at) {
        return start(id, profileId, journey, iteration, at).waking(at);
    }

    public boolean active() {
        return status == Status.ACTIVE;
    }

    Instance at(String nodeId, Instant when) {
        return new Instance(
                id,
                profileId,
                journeyKey,
                version,
                iteration,
                status,
                nodeId,
                enteredAt,
                when,
                arm,
                assignedAt,
                Optional.empty());
    }

    Instance waking(Instant when) {
        return new Instance(
                id,
                profileId,
                journeyKey,
                version,
                iteration,
                status,
                node,
                enteredAt,
                arrivedAt,
                arm,
                assignedAt,
                Optional.of(when));
    }

    Instance assigned(String armName, Instant when) {
        return new Instance(
                id,
                profileId,
                journeyKey,
                version,
                iteration,
                status,
                node,
                enteredAt,
                arrivedAt,
                Optional.of(armName),
                when,
                wakeAt);
    }

    Instance ended(Status end) {
        return new Instance(
                id,
                profileId,
                journeyKey,
                version,
                iteration,
                end,
                node,
                enteredAt,
                arrivedAt,
                arm,
                assignedAt,
                Optional.empty());
    }
}
