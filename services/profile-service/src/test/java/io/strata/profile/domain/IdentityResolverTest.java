package io.strata.profile.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdentityResolverTest {

    private static final IdentityKey USER = new IdentityKey(IdentityType.USER_ID, "u1");
    private static final IdentityKey ANON = new IdentityKey(IdentityType.ANONYMOUS_ID, "a1");
    private static final IdentityKey EMAIL = new IdentityKey(IdentityType.EMAIL, "li@qq.com");
    private static final UUID P1 = UUID.randomUUID();
    private static final UUID P2 = UUID.randomUUID();

    /** An owned identifier; its owner holds it and, when {@code userId} is given, a user id. */
    static OwnedIdentity own(IdentityKey identity, UUID owner, String userId, int rank) {
        Map<IdentityType, Integer> counts = new EnumMap<>(IdentityType.class);
        counts.put(identity.type(), 1);
        if (userId != null) {
            counts.put(IdentityType.USER_ID, 1);
        }
        return new OwnedIdentity(identity, owner, counts, rank);
    }

    @Test
    void unknownIdentifiersMakeANewProfile() {
        Resolution r = IdentityResolver.resolve(List.of(USER, ANON), List.of());
        assertTrue(r.createsProfile());
        assertEquals(List.of(USER, ANON), r.attach());
        assertTrue(r.merge().isEmpty());
    }

    @Test
    void anAnonymousProfileLearnsItsUserId() {
        Resolution r = IdentityResolver.resolve(List.of(USER, ANON), List.of(own(ANON, P1, null, 0)));
        assertEquals(P1, r.target());
        assertEquals(List.of(USER), r.attach());
    }

    @Test
    void anAnonymousProfileIsMergedIntoTheUsersProfile() {
        Resolution r =
                IdentityResolver.resolve(List.of(USER, ANON), List.of(own(ANON, P1, null, 0), own(USER, P2, "u1", 1)));
        assertEquals(P2, r.target(), "the user id's owner wins over an older anonymous profile");
        assertEquals(List.of(P1), r.merge());
        assertTrue(r.attach().isEmpty());
    }

    @Test
    void profilesOfTwoUsersAreNeverMerged() {
        // a shared device: the anonymous id belongs to someone else's profile
        Resolution r = IdentityResolver.resolve(List.of(USER, ANON), List.of(own(ANON, P1, "u-other", 0)));
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
                        own(ANON, P1, null, 0),
                        own(EMAIL, P2, "u1", 1),
                        own(new IdentityKey(IdentityType.DEVICE_ID, "d"), p3, "u2", 2)));
        assertEquals(P2, r.target(), "email outranks an anonymous id");
        assertEquals(List.of(P1), r.merge(), "u2's profile is not merged into u1's");
    }

    @Test
    void olderProfileWinsBetweenEqualIdentifiers() {
        IdentityKey anon2 = new IdentityKey(IdentityType.ANONYMOUS_ID, "a2");
        Resolution r = IdentityResolver.resolve(
                List.of(ANON, anon2), List.of(own(anon2, P2, null, 1), own(ANON, P1, null, 0)));
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
                                own(weak, older, null, 0),
                                own(strong, younger, priority.get(high) == IdentityType.USER_ID ? "s" : null, 1)));
                String pair = priority.get(high) + " over " + priority.get(low);
                assertEquals(younger, r.target(), pair);
                assertEquals(List.of(older), r.merge(), pair);
                assertTrue(r.attach().isEmpty(), pair);
            }
        }
    }

    private static final IdentityKey DEV1 = new IdentityKey(IdentityType.DEVICE_ID, "d1");
    private static final IdentityKey DEV2 = new IdentityKey(IdentityType.DEVICE_ID, "d2");
    private static final IdentityKey DEV3 = new IdentityKey(IdentityType.DEVICE_ID, "d3");
    private static final IdentityRules TWO_DEVICES =
            new IdentityRules(List.of(), Map.of(IdentityType.USER_ID, 1, IdentityType.DEVICE_ID, 2), Set.of());

    @Test
    void aMergeThatWouldBreakALimitIsRefusedAndSaysWhy() {
        // P1 has two devices, P2 one: together three, over the limit of two
        OwnedIdentity p1 = new OwnedIdentity(EMAIL, P1, Map.of(IdentityType.EMAIL, 1, IdentityType.DEVICE_ID, 2), 0);
        OwnedIdentity p2 = new OwnedIdentity(DEV3, P2, Map.of(IdentityType.DEVICE_ID, 1), 1);
        Resolution r = IdentityResolver.resolve(List.of(EMAIL, DEV3), Set.of(), List.of(p1, p2), TWO_DEVICES);
        assertEquals(P1, r.target(), "the email decides");
        assertTrue(r.merge().isEmpty(), "the device's profile is not merged");
        assertEquals(1, r.refused().size());
        Resolution.Refusal refusal = r.refused().get(0);
        assertEquals(P2, refusal.other());
        assertEquals(DEV3, refusal.identity());
        assertEquals("would hold 3 DEVICE_ID identifiers; the limit is 2", refusal.reason());

        Resolution defaults = IdentityResolver.resolve(List.of(EMAIL, DEV3), List.of(p1, p2));
        assertEquals(List.of(P2), defaults.merge(), "without a device limit they merge");
    }

    @Test
    void anIdentifierOverTheLimitIsNotAttached() {
        OwnedIdentity p1 = new OwnedIdentity(DEV1, P1, Map.of(IdentityType.DEVICE_ID, 2), 0);
        Resolution r = IdentityResolver.resolve(List.of(DEV1, DEV3, ANON), Set.of(), List.of(p1), TWO_DEVICES);
        assertEquals(P1, r.target());
        assertEquals(List.of(ANON), r.attach(), "a third device is not attached; the anonymous id is");
        assertEquals(DEV3, r.refused().get(0).identity());
        assertNull(r.refused().get(0).other());
    }

    @Test
    void theTenantsPriorityDecidesTheTarget() {
        IdentityRules phoneFirst =
                new IdentityRules(List.of(IdentityType.DEVICE_ID), Map.of(IdentityType.USER_ID, 1), Set.of());
        Resolution r = IdentityResolver.resolve(
                List.of(EMAIL, DEV1), Set.of(), List.of(own(EMAIL, P1, null, 0), own(DEV1, P2, null, 1)), phoneFirst);
        assertEquals(P2, r.target(), "the device id decides first for this tenant, though its profile is younger");
        assertEquals(List.of(P1), r.merge());
    }

    @Test
    void anAliasMergesTwoUserIdsWhatever() {
        IdentityKey former = new IdentityKey(IdentityType.USER_ID, "u-old");
        Resolution r = IdentityResolver.resolve(
                List.of(USER), Set.of(former), List.of(own(former, P1, "u-old", 0)), IdentityRules.DEFAULT);
        assertEquals(P1, r.target(), "the former user id's profile takes the event");
        assertEquals(List.of(USER), r.attach(), "and the new user id");
        assertTrue(r.refused().isEmpty());

        Resolution owned = IdentityResolver.resolve(
                List.of(USER),
                Set.of(former),
                List.of(own(USER, P2, "u1", 1), own(former, P1, "u-old", 0)),
                IdentityRules.DEFAULT);
        assertEquals(P2, owned.target());
        assertEquals(List.of(P1), owned.merge(), "both user ids' profiles become one");

        Resolution notAlias = IdentityResolver.resolve(
                List.of(USER),
                Set.of(),
                List.of(own(USER, P2, "u1", 1), own(former, P1, "u-old", 0)),
                IdentityRules.DEFAULT);
        assertTrue(notAlias.merge().isEmpty(), "two user ids never merge otherwise");
    }

    @Test
    void rulesAreCheckedWithTheFieldAtFault() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        IdentityRules.InvalidRulesException e = org.junit.jupiter.api.Assertions.assertThrows(
                IdentityRules.InvalidRulesException.class,
                () -> IdentityRules.parse(json.readTree("{\"limits\": {\"DEVICE_ID\": 0}}")));
        assertEquals("limits.DEVICE_ID", e.field());
        e = org.junit.jupiter.api.Assertions.assertThrows(
                IdentityRules.InvalidRulesException.class,
                () -> IdentityRules.parse(json.readTree("{\"priority\": [\"PHONE\", \"FAX\"]}")));
        assertEquals("priority[1]", e.field());
        e = org.junit.jupiter.api.Assertions.assertThrows(
                IdentityRules.InvalidRulesException.class,
                () -> IdentityRules.parse(json.readTree("{\"blocked\": [{\"type\": \"PHONE\"}]}")));
        assertEquals("blocked[0].value", e.field());
        IdentityRules rules = IdentityRules.parse(
                json.readTree("{\"priority\": [\"PHONE\"], \"limits\": {\"DEVICE_ID\": 5, \"USER_ID\": null},"
                        + " \"blocked\": [{\"type\": \"EMAIL\", \"value\": \" Shared@Example.CN \"}]}"));
        assertEquals(0, rules.rank(IdentityType.PHONE));
        assertEquals(1, rules.rank(IdentityType.USER_ID), "types left out follow in the default order");
        assertEquals(5, rules.limit(IdentityType.DEVICE_ID));
        assertEquals(Integer.MAX_VALUE, rules.limit(IdentityType.USER_ID), "null lifts a limit");
        assertTrue(
                rules.isBlocked(new IdentityKey(IdentityType.EMAIL, "shared@example.cn")),
                "blocked values are normalised");
        assertEquals(rules.toJson(), IdentityRules.parse(rules.toJson()).toJson(), "the JSON form reads back");
    }
}
