package io.strata.profile.domain;

import java.time.Instant;
import java.util.List;

/**
 * What the profile needs of one accepted event.
 *
 * @param countName   the name its behaviour count goes under: the event name of a track call,
 *                    otherwise the call type ("identify", "page"...)
 * @param traitsJson  traits to merge into the profile as a JSON object, or {@code null}
 * @param identities  the event's valid identifiers, most authoritative first
 */
public record IncomingEvent(
        String tenant,
        String sourceId,
        String messageId,
        String countName,
        String traitsJson,
        Instant timestamp,
        List<IdentityKey> identities) {

    public boolean hasUserId() {
        return identities.stream().anyMatch(id -> id.type() == IdentityType.USER_ID);
    }
}
