package io.strata.demo;

import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;

/**
 * Who each consumer is, computed from (seed, index) alone: demographics, crowd, when they first
 * came and signed in, whether they are a core advocate, and who invited them. Nothing is held
 * in memory: a referrer is found by hashing indexes until one qualifies, and is then computed
 * again from its own index, so 10 million consumers need no more memory than 10 thousand.
 *
 * <p>Referral chains: a consumer's depth comes from a hash of its index ({@link #DEPTH_1} of
 * consumers are invited by a core advocate, {@link #DEPTH_2} by someone a core advocate
 * invited); every other consumer may be a core advocate, with a probability that depends on its
 * crowd. So every chain starts at a core advocate, and the invited — the high-potential crowd —
 * resemble the core (see {@link PersonSampler#LOOKALIKE}).
 */
final class Population {

    static final double DEPTH_1 = 0.09;
    static final double DEPTH_2 = 0.03;
    /** Share of consumers whose first visits are anonymous, on one or more devices. */
    static final double ANONYMOUS_FIRST = 0.35;

    private static final int SEARCH_LIMIT = 20_000;
    private static final long DAY = TimeFrame.DAY;
    private static final long WEEK = 7 * DAY;
    /** A referrer has been signed in for at least this long before the data ends. */
    private static final long REFERRER_MIN_AGE = 45 * DAY;

    /** One consumer as the rest of the generation sees them. */
    record Profile(
            long index,
            String userId,
            Person person,
            Crowd crowd,
            boolean core,
            int depth,
            long referrer,
            long firstSeen,
            long signedIn,
            long invitedAt,
            boolean anonymousFirst) {

        boolean highPotential() {
            return depth > 0;
        }
    }

    private final long seed;
    private final long consumers;
    private final TimeFrame time;
    private final long idSalt;

    Population(long seed, long consumers, TimeFrame time) {
        this.seed = seed;
        this.consumers = consumers;
        this.time = time;
        this.idSalt = Rngs.fmix(seed ^ 0x5DEECE66DL);
    }

    /** Probability that a consumer who was not invited is a core advocate, by crowd. */
    static double coreProbability(Crowd crowd) {
        return switch (crowd) {
            case REFINED_MUMS -> 0.09;
            case NEW_WHITE_COLLAR -> 0.08;
            case GEN_Z -> 0.06;
            case SENIOR_MIDDLE_CLASS -> 0.05;
            default -> 0.015;
        };
    }

    /** The user id of a consumer: a bijection of the index, so ids never collide. */
    String userId(long index) {
        return "u" + Long.toUnsignedString(Rngs.fmix(index + idSalt), 36);
    }

    Profile profile(long index) {
        int depth = hashDepth(index);
        long referrer = depth > 0 ? findReferrer(index, depth) : -1;
        if (referrer < 0) {
            return uninvited(index, depth == 0);
        }
        Profile by = profile(referrer);
        UniformRandomProvider rng = Rngs.of(seed, index, Rngs.PROFILE);
        Person person = PersonSampler.sample(rng, time.reference(), by.person());
        UniformRandomProvider timing = Rngs.of(seed, index, Rngs.TIMING);
        long latest = time.end() - 10 * DAY;
        long invited = by.signedIn()
                + (long) (ZigguratSampler.Exponential.of(timing, 20).sample() * DAY);
        if (invited >= latest) {
            invited = by.signedIn() + (long) (timing.nextDouble() * (latest - by.signedIn()));
        }
        long firstSeen = invited + (long) (timing.nextDouble() * 2 * DAY);
        boolean anonymousFirst = timing.nextDouble() < ANONYMOUS_FIRST;
        long signedIn = firstSeen + (anonymousFirst ? (long) (timing.nextDouble() * 3 * DAY) : 0);
        return new Profile(
                index,
                userId(index),
                person,
                CrowdRules.of(person, time.reference()),
                false,
                depth,
                referrer,
                firstSeen,
                Math.min(signedIn, time.end() - DAY),
                invited,
                anonymousFirst);
    }

    /** A consumer nobody invited (or whose inviter could not be found); only these may be core. */
    private Profile uninvited(long index, boolean mayBeCore) {
        UniformRandomProvider rng = Rngs.of(seed, index, Rngs.PROFILE);
        Person person = PersonSampler.sample(rng, time.reference(), null);
        Crowd crowd = CrowdRules.of(person, time.reference());
        boolean core = mayBeCore && Rngs.unit(seed, index, Rngs.CORE) < coreProbability(crowd);
        UniformRandomProvider timing = Rngs.of(seed, index, Rngs.TIMING);
        long firstSeen = time.start() + (long) (timing.nextDouble() * (time.end() - WEEK - time.start()));
        boolean anonymousFirst = timing.nextDouble() < ANONYMOUS_FIRST;
        long signedIn = firstSeen
                + (anonymousFirst
                        ? (long) (ZigguratSampler.Exponential.of(timing, 10).sample() * DAY)
                        : 0);
        return new Profile(
                index,
                userId(index),
                person,
                crowd,
                core,
                0,
                -1,
                firstSeen,
                Math.min(signedIn, time.end() - DAY),
                -1,
                anonymousFirst);
    }

    /** 0 (not invited), 1 (invited by a core advocate) or 2 (invited by someone a core advocate invited). */
    int hashDepth(long index) {
        double u = Rngs.unit(seed, index, Rngs.REFERRAL);
        return u < DEPTH_1 ? 1 : u < DEPTH_1 + DEPTH_2 ? 2 : 0;
    }

    /** The first index in the consumer's own hash sequence that can have invited it, or -1. */
    private long findReferrer(long index, int depth) {
        for (int k = 0; k < SEARCH_LIMIT; k++) {
            long candidate =
                    Long.remainderUnsigned(Rngs.mix(seed, index, Rngs.REFERRER_SEARCH * 1_000_003L + k), consumers);
            if (candidate == index || hashDepth(candidate) != depth - 1) {
                continue;
            }
            Profile p = depth == 1 ? uninvited(candidate, true) : profile(candidate);
            if ((depth == 1 ? p.core() : p.depth() == 1) && p.signedIn() < time.end() - REFERRER_MIN_AGE) {
                return candidate;
            }
        }
        return -1;
    }

    /** An invite code a referrer's invitation carries. */
    String inviteCode(long invitee) {
        return "INV"
                + Long.toUnsignedString(Rngs.mix(seed, invitee, 77) >>> 24, 36).toUpperCase(Locale.ROOT);
    }
}
