package io.strata.ingestion.domain;

/** An event of a batch that was not accepted, and why ({@code messageId} and {@code field} may be null). */
public record Rejection(int index, String messageId, String field, String reason) {}
