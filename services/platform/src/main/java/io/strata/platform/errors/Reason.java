package io.strata.platform.errors;

/**
 * Why a call was refused, carried in {@code google.rpc.ErrorInfo.reason} (domain {@link #DOMAIN}) so
 * that callers can act on it without reading the description. The names are those of
 * {@code strata.common.v1.ErrorReason} without its prefix: the proto is the contract.
 */
public enum Reason {
    /** The request names a tenant that is not the signed-in user's. */
    TENANT_MISMATCH,
    /** The calling client may not call this method (or not on a user's behalf). */
    CLIENT_NOT_ALLOWED,
    /** The user's role does not allow the call. */
    ROLE_MISSING,
    /** The source sends more than its rate limit. */
    RATE_LIMITED,
    /** The tenant is over its quota (events per second, imports at once). */
    TENANT_QUOTA,
    /** The service holds as much unfinished work as it may; retry later. */
    OVERLOADED,
    /** Kafka cannot take events right now. */
    BROKER_UNAVAILABLE,
    /** A stream went past its largest length or duration. */
    STREAM_LIMIT,
    /** Part of the data the answer needs is loading (the partitions of a feed moved); retry shortly. */
    PARTITION_LOADING;

    public static final String DOMAIN = "strata.io";
}
