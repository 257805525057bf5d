package io.strata.campaign.journey;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/** What the journey machine may read of the profile an instance belongs to. */
public interface ProfileView {

    boolean inAudience(String audience);

    Optional<String> tag(String tag);

    Optional<String> trait(String trait);

    /** A date attribute (a trait such as {@code birthday} or an aggregate such as {@code first_purchase_at}). */
    Optional<LocalDate> date(String attribute);

    /** When the event first happened at or after {@code since} (the instance's entry, or its arm's assignment for a goal). */
    Optional<Instant> eventSince(Node.EventMatch event, Instant since);
}
