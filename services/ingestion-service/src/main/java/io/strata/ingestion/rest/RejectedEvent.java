package io.strata.ingestion.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.strata.ingestion.domain.Rejection;
import java.util.List;

/** A rejected event as the batch answer lists it: the fields it has, no nulls. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
record RejectedEvent(int index, String messageId, String field, String reason) {

    static List<RejectedEvent> of(List<Rejection> rejections) {
        return rejections.stream()
                .map(r -> new RejectedEvent(r.index(), r.messageId(), r.field(), r.reason()))
                .toList();
    }
}
