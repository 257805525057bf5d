package io.strata.profile.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The in-memory graph a batch is resolved against answers as the database would after each event. */
class GraphOverlayTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final IdentityKey ANON = new IdentityKey(IdentityType.ANONYMOUS_ID, "a1");
    private static final IdentityKey DEVICE = new IdentityKey(IdentityType.DEVICE_ID, "d1");
    private static final IdentityKey USER = new IdentityKey(IdentityType.USER_ID, "u1");
    private static final IdentityKey EMAIL = new IdentityKey(IdentityType.EMAIL, "u1@example.cn");

    @Test
    void ownersAreRankedByAgeThenId() {
        UUID older = UUID.fromString("ffffffff-0000-0000-0000-000000000000");
        UUID younger = UUID.fromString("00000000-0000-0000-0000-000000000001");
        GraphOverlay overlay = new GraphOverlay(List.of(
                new GraphOverlay.Owned(DEVICE, younger, T0.plusSeconds(5), Map.of(IdentityType.ANONYMOUS_ID, 1), 3),
                new GraphOverlay.Owned(ANON, older, T0, Map.of(IdentityType.ANONYMOUS_ID, 1), 0)));
        List<OwnedIdentity> owned = overlay.owned(List.of(DEVICE, ANON, EMAIL));
        assertEquals(2, owned.size(), "nobody owns the email");
        assertEquals(1, owned.get(0).ownerRank());
        assertEquals(0, owned.get(1).ownerRank());
    }

    @Test
    void whatABatchDoesIsSeenByItsLaterEvents() {
        UUID anonymous = UUID.randomUUID();
        GraphOverlay overlay = new GraphOverlay(
                List.of(new GraphOverlay.Owned(ANON, anonymous, T0, Map.of(IdentityType.ANONYMOUS_ID, 1), 7)));
        UUID known = UUID.randomUUID();
        overlay.created(known, T0.plusSeconds(60));
        overlay.attached(known, List.of(USER, EMAIL));
        assertEquals(
                1,
                overlay.owned(List.of(EMAIL)).get(0).ownerCounts().get(IdentityType.USER_ID),
                "attached identifiers are counted");

        overlay.merged(anonymous, known);
        List<OwnedIdentity> owned = overlay.owned(List.of(ANON, USER));
        assertTrue(owned.stream().allMatch(o -> o.owner().equals(known)), "the merged profile's identifiers moved");
        assertEquals(
                Map.of(IdentityType.USER_ID, 1, IdentityType.EMAIL, 1, IdentityType.ANONYMOUS_ID, 1),
                owned.get(0).ownerCounts(),
                "a merge adds up the counts");

        UUID third = UUID.randomUUID();
        overlay.created(third, T0.plusSeconds(120));
        overlay.attached(third, List.of(DEVICE));
        List<OwnedIdentity> both = overlay.owned(List.of(DEVICE, ANON));
        assertEquals(0, both.get(1).ownerRank(), "the merge kept the older creation time");
        assertEquals(Map.of(IdentityType.DEVICE_ID, 1), both.get(0).ownerCounts());
    }

    @Test
    void versionsAreThoseReadPlusTheBatchsOwnWrites() {
        UUID read = UUID.randomUUID();
        GraphOverlay overlay = new GraphOverlay(
                List.of(new GraphOverlay.Owned(ANON, read, T0, Map.of(IdentityType.ANONYMOUS_ID, 1), 7)));
        assertEquals(7, overlay.version(read));
        overlay.written(read);
        assertEquals(8, overlay.version(read));
        UUID created = UUID.randomUUID();
        overlay.created(created, T0);
        assertEquals(0, overlay.version(created), "a new profile is written at version 0");
    }
}
