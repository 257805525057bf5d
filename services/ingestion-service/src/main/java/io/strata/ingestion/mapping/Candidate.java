package io.strata.ingestion.mapping;

import io.strata.ingestion.domain.InvalidEventException;
import io.strata.ingestion.domain.Rejection;
import io.strata.proto.events.v1.Event;

/**
 * One event of a request after validation: either an event to publish or the reason it is refused.
 *
 * @param clientMessageId whether the caller gave the messageId (only those can be deduplicated)
 */
public record Candidate(int index, Event event, boolean clientMessageId, Rejection rejection) {

    public static Candidate valid(int index, Event event, boolean clientMessageId) {
        return new Candidate(index, event, clientMessageId, null);
    }

    public static Candidate rejected(int index, String messageId, InvalidEventException e) {
        return new Candidate(index, null, false, new Rejection(index, messageId, e.field(), e.getMessage()));
    }

    public boolean isValid() {
        return rejection == null;
    }
}
