package io.strata.campaign.journey;

import java.time.Instant;
import java.util.Map;

/** What moves an instance. */
public sealed interface Input {

    Instant at();

    /** The trigger fired: run from the trigger to the first wait. */
    record Start(Instant at) implements Input {}

    /** The instance's timer is due. */
    record Timer(Instant at) implements Input {}

    /** The profile did something (from the profile events feed). */
    record Event(String name, Map<String, String> properties, Instant at) implements Input {}

    /** The profile left an audience. */
    record LeftAudience(String audience, Instant at) implements Input {}

    /** The instance ends for a reason outside the journey (the profile was merged into another). */
    record Exit(String reason, Instant at) implements Input {}

    /** The person was deleted: the instance ends at once and nothing more is sent. */
    record Deleted(Instant at) implements Input {}
}
