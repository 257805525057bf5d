package io.strata.dedup.domain;

/** The keys forwarded recently, each with the time it was forwarded at (epoch milliseconds). */
public interface SeenKeys {

    /** Whether the key was remembered at a time in {@code [from, to]}. */
    boolean seenBetween(String key, long from, long to);

    void remember(String key, long time);
}
