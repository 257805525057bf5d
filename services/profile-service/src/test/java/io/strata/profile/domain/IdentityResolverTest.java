package io.strata.profile.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdentityResolverTest {

    private static final IdentityKey USER = new IdentityKey(IdentityType.USER_ID, "u1");
    private static final IdentityKey ANON = new IdentityKey(IdentityType.ANONYMOUS_ID, "a1");
    private static final IdentityKey EMAIL = new IdentityKey(IdentityType.EMAIL, "li@qq.com");
    private static final UUID P1 = UUID.randomUUID();
    private static final UUID P2 = UUID.randomUUID();

    @Test
    void unknownIdentifiersMakeANewProfile() {
        Resolution r = IdentityResolver.resolve(List.of(USER, ANON), List.of());
        assertTrue(r.createsProfile());
        assertEquals(List.of(USER, ANON), r.attach());
        assertTrue(r.merge().isEmpty());
    }

    @Test
    void anAnonymousProfileLearnsItsUserId() {
        Resolution r = IdentityResolver.resolve(List.of(USER, ANON), List.of(new OwnedIdentity(ANON, P1, null, 0)));
        assertEquals(P1, r.target());
        assertEquals(List.of(USER), r.attach());
    }

    @Test
    void anAnonymousProfileIsMergedIntoTheUsersProfile() {
        Resolution r = IdentityResolver.resolve(
                List.of(USER, ANON),
                List.of(new OwnedIdentity(ANON, P1, null, 0), new OwnedIdentity(USER, P2, "u1", 1)));
        assertEquals(P2, r.target(), "the user id's owner wins over an older anonymous profile");
        assertEquals(List.of(P1), r.merge());
        assertTrue(r.attach().isEmpty());
    }

    @Test
    void profilesOfTwoUsersAreNeverMerged() {
        // a shared device: the anonymous id belongs to someone else's profile
        Resolution r =
                IdentityResolver.resolve(List.of(USER, ANON), List.of(new OwnedIdentity(ANON, P1, "u-other", 0)));
        assertNull(r.target(), "u1 gets a profile of its own");
        assertTrue(r.merge().isEmpty());
        assertEquals(List.of(USER), r.attach(), "the anonymous id stays with its owner");
    }

    @Test
    void withoutUserIdTheMostAuthoritativeOwnerWinsAndOnlyCompatibleOnesMerge() {
        UUID p3 = UUID.randomUUID();
        Resolution r = IdentityResolver.resolve(
                List.of(EMAIL, ANON),
                List.of(
                        new OwnedIdentity(ANON, P1, null, 0),
                        new OwnedIdentity(EMAIL, P2, "u1", 1),
                        new OwnedIdentity(new IdentityKey(IdentityType.DEVICE_ID, "d"), p3, "u2", 2)));
        assertEquals(P2, r.target(), "email outranks an anonymous id");
        assertEquals(List.of(P1), r.merge(), "u2's profile is not merged into u1's");
    }

    @Test
    void olderProfileWinsBetweenEqualIdentifiers() {
        IdentityKey anon2 = new IdentityKey(IdentityType.ANONYMOUS_ID, "a2");
        Resolution r = IdentityResolver.resolve(
                List.of(ANON, anon2),
                List.of(new OwnedIdentity(anon2, P2, null, 1), new OwnedIdentity(ANON, P1, null, 0)));
        assertEquals(P1, r.target());
        assertEquals(List.of(P2), r.merge());
    }

    /**
     * The whole priority, pair by pair: for every two kinds of identifier owned by two profiles,
     * the owner of the more authoritative one is the target (even when it is the younger profile)
     * and the other is merged into it: user id, member id, phone, email, WeChat unionId, WeChat
     * openId, device id, anonymous id.
     */
    @Test
    void theMoreAuthoritativeIdentifierDecidesForEveryPairOfKinds() {
        List<IdentityType> priority = List.of(
                IdentityType.USER_ID,
                IdentityType.MEMBER_ID,
                IdentityType.PHONE,
                IdentityType.EMAIL,
                IdentityType.WECHAT_UNION_ID,
                IdentityType.WECHAT_OPEN_ID,
                IdentityType.DEVICE_ID,
                IdentityType.ANONYMOUS_ID);
        assertEquals(priority, List.of(IdentityType.values()), "the enum's order is the priority");
        for (int high = 0; high < priority.size(); high++) {
            for (int low = high + 1; low < priority.size(); low++) {
                IdentityKey strong = new IdentityKey(priority.get(high), "s");
                IdentityKey weak = new IdentityKey(priority.get(low), "w");
                UUID younger = UUID.randomUUID();
                UUID older = UUID.randomUUID();
                Resolution r = IdentityResolver.resolve(
                        List.of(strong, weak),
                        List.of(
                                new OwnedIdentity(weak, older, null, 0),
                                new OwnedIdentity(
                                        strong, younger, priority.get(high) == IdentityType.USER_ID ? "s" : null, 1)));
                String pair = priority.get(high) + " over " + priority.get(low);
                assertEquals(younger, r.target(), pair);
                assertEquals(List.of(older), r.merge(), pair);
                assertTrue(r.attach().isEmpty(), pair);
            }
        }
    }
}
