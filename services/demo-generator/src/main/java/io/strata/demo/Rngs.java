package io.strata.demo;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.core.source64.XoRoShiRo128PlusPlus;

/**
 * Counter-based randomness: every consumer's draws come from a generator seeded by (seed,
 * consumer index, stream), so any consumer can be generated — or looked at again from another
 * consumer, as a referrer is — without generating the others, and in any order.
 */
final class Rngs {

    /** Independent draws of one consumer, so a new draw in one never shifts the others. */
    static final int PROFILE = 1;

    static final int ACTIVITY = 2;
    static final int IDS = 3;
    static final int REFERRAL = 4;
    static final int REFERRER_SEARCH = 5;
    static final int ORDERS = 6;
    static final int TIMING = 7;
    static final int CORE = 8;
    static final int BROWSING = 9;

    private Rngs() {}

    /** A generator of its own for one consumer and one kind of draw. */
    static UniformRandomProvider of(long seed, long index, int stream) {
        long s0 = mix(seed, index, stream);
        long s1 = mix(s0, ~index, stream + 1_000_003L);
        return new XoRoShiRo128PlusPlus(s0, s1 == 0 && s0 == 0 ? 1 : s1);
    }

    /** A uniform number in [0, 1) that depends only on its arguments. */
    static double unit(long seed, long index, long stream) {
        return (mix(seed, index, stream) >>> 11) * 0x1.0p-53;
    }

    /** A well-mixed 64-bit hash of three numbers. */
    static long mix(long a, long b, long c) {
        return fmix(fmix(fmix(a + 0x9E3779B97F4A7C15L) ^ b) + c * 0xC2B2AE3D27D4EB4FL);
    }

    /**
     * MurmurHash3's 64-bit finaliser: a bijection on longs, so distinct inputs give distinct
     * outputs (identifiers built from it never collide).
     */
    static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB9FE1A85EC53L;
        k ^= k >>> 33;
        return k;
    }
}
