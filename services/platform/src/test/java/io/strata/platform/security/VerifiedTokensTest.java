package io.strata.platform.security;

import static io.strata.platform.security.TestJwts.jwt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {

    private static final Instant START = Instant.parse("2026-12-02T12:00:00Z");

    private Instant now = START;
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    /** Token names its expiry in seconds from START ("exp:60"), "none" has no expiry, "bad" fails. */
    private final AtomicInteger verifications = new AtomicInteger();

    private final VerifiedTokens tokens = new VerifiedTokens(
            token -> {
                verifications.incrementAndGet();
                if (token.equals("bad")) {
                    return Uni.createFrom().failure(new SecurityException("bad signature"));
                }
                Map<String, Object> claims = new HashMap<>();
                if (token.startsWith("exp:")) {
                    claims.put("exp", START.getEpochSecond() + Long.parseLong(token.substring(4)));
                }
                return Uni.createFrom().item(identity(token, claims));
            },
            3,
            Duration.ofMinutes(5),
            clock);

    @Test
    void theSameTokenIsVerifiedOnceUntilItExpires() {
        SecurityIdentity first = verify("exp:60");
        assertSame(first, verify("exp:60"));
        now = START.plusSeconds(59);
        assertSame(first, verify("exp:60"));
        assertEquals(1, verifications.get());

        now = START.plusSeconds(60);
        verify("exp:60");
        assertEquals(2, verifications.get(), "an expired token is verified again (and the verifier refuses it)");
    }

    @Test
    void aVerificationIsTrustedForFiveMinutesAtMost() {
        verify("exp:3600");
        now = START.plusSeconds(299);
        verify("exp:3600");
        assertEquals(1, verifications.get());
        now = START.plusSeconds(300);
        verify("exp:3600");
        assertEquals(2, verifications.get());
    }

    @Test
    void failuresAndTokensWithoutExpiryAreNotKept() {
        assertThrows(SecurityException.class, () -> verify("bad"));
        assertThrows(SecurityException.class, () -> verify("bad"));
        verify("none");
        verify("none");
        assertEquals(4, verifications.get());
        assertEquals(0, tokens.size());
    }

    @Test
    void distinctTokensAreDistinctEntriesAndTheCacheIsBounded() {
        SecurityIdentity a = verify("exp:60");
        SecurityIdentity b = verify("exp:61");
        assertEquals("exp:60", a.getPrincipal().getName());
        assertEquals("exp:61", b.getPrincipal().getName());
        for (int i = 0; i < 10; i++) {
            verify("exp:" + (100 + i));
        }
        assertEquals(3, tokens.size());
    }

    private SecurityIdentity verify(String token) {
        return tokens.apply(token).await().indefinitely();
    }

    private static SecurityIdentity identity(String name, Map<String, Object> claims) {
        return QuarkusSecurityIdentity.builder().setPrincipal(jwt(name, claims)).build();
    }
}
