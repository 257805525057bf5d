package io.strata.platform.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * A verifier of access tokens that remembers what it verified: the same token string sent again
 * before it expires gives the identity it gave the first time, without parsing it and checking its
 * signature again. A caller (the gateway, a service) sends the same service token for minutes and
 * the same user's token for every call of a page, and verifying a JWT costs more than a profile
 * lookup (a JSON parse of header and claims, a Base64 decode and an RSA verification).
 *
 * <p>Only a successful verification of a JWT with an expiry is kept, and never past that expiry
 * nor past {@code maxAge} (so a signing key withdrawn from the issuer's key set stops being
 * honoured within {@code maxAge}, as it would with the verifier's own key cache). A failure is not
 * kept: the next call verifies again. The cache is bounded in entries.
 */
public final class VerifiedTokens implements Function<String, Uni<SecurityIdentity>> {

    /** Entries kept at most: distinct tokens in use at once (one per signed-in user, per service). */
    public static final long DEFAULT_SIZE = 10_000;
    /** How long a verification is trusted at most. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);

    private final Function<String, Uni<SecurityIdentity>> verifier;
    private final Cache<String, Verified> verified;
    private final Ticker ticker;
    private final long maxAgeNanos;

    private record Verified(SecurityIdentity identity, long expiresAtNanos) {}

    /** Keeps {@code verifier}'s answers with the defaults. */
    public VerifiedTokens(Function<String, Uni<SecurityIdentity>> verifier) {
        this(verifier, DEFAULT_SIZE, DEFAULT_MAX_AGE, Clock.systemUTC());
    }

    /** Times are the clock's: a token's expiry is wall-clock time. */
    VerifiedTokens(Function<String, Uni<SecurityIdentity>> verifier, long size, Duration maxAge, Clock clock) {
        this.verifier = verifier;
        this.ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
        this.maxAgeNanos = maxAge.toNanos();
        this.verified = Caffeine.newBuilder()
                .maximumSize(size)
                .ticker(ticker)
                .expireAfter(new Expiry<String, Verified>() {
                    @Override
                    public long expireAfterCreate(String token, Verified value, long now) {
                        return Math.max(0, value.expiresAtNanos - now);
                    }

                    @Override
                    public long expireAfterUpdate(String token, Verified value, long now, long current) {
                        return expireAfterCreate(token, value, now);
                    }

                    @Override
                    public long expireAfterRead(String token, Verified value, long now, long current) {
                        return current;
                    }
                })
                .build();
    }

    @Override
    public Uni<SecurityIdentity> apply(String token) {
        Verified known = token == null ? null : verified.getIfPresent(token);
        // the cache drops an entry at its expiry; the check here also covers a read racing that
        if (known != null && ticker.read() - known.expiresAtNanos < 0) {
            return Uni.createFrom().item(known.identity);
        }
        return verifier.apply(token).invoke(identity -> remember(token, identity));
    }

    /** Entries held now (for tests and metrics). */
    public long size() {
        verified.cleanUp();
        return verified.estimatedSize();
    }

    private void remember(String token, SecurityIdentity identity) {
        if (token == null
                || identity == null
                || identity.isAnonymous()
                || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return;
        }
        long expiresAtSecond;
        try {
            expiresAtSecond = jwt.getExpirationTime();
        } catch (RuntimeException noExpiry) { // an absent claim unboxed
            return;
        }
        if (expiresAtSecond <= 0) {
            return; // no expiry: verify every time
        }
        long now = ticker.read();
        long untilExpiry = TimeUnit.SECONDS.toNanos(expiresAtSecond) - now;
        if (untilExpiry <= 0) {
            return;
        }
        verified.put(token, new Verified(identity, now + Math.min(untilExpiry, maxAgeNanos)));
    }
}
