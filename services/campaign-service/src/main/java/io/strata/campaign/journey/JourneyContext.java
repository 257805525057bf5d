package io.strata.campaign.journey;

import io.strata.campaign.delivery.Decision;
import io.strata.campaign.delivery.SendRequest;
import java.time.ZoneId;

/** What a step may read: the profile, its clock, and the send-time checks. */
public interface JourneyContext {

    ProfileView profile();

    /** The profile's zone (its own, else the tenant's, else Asia/Shanghai). */
    ZoneId zone();

    /**
     * Runs the send-time checks; when they decide {@link Decision.Send}, the message counts against
     * the caps for any later check (also within the same step).
     */
    Decision reserve(SendRequest send);
}
