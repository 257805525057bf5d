package io.strata.ingestion.domain;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An event of a batch that was not accepted, and why. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Rejection(int index, String messageId, String field, String reason) {}
