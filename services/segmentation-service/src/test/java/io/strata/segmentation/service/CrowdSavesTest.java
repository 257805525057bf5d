package io.strata.segmentation.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.proto.segmentation.v1.CustomCrowd;
import io.strata.proto.segmentation.v1.FindCustomCrowdsRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How saved custom crowds are written as rules, read back, and continued by a later run. */
class CrowdSavesTest {

    @Test
    void aCrowdsRuleNamesItsMicroGroupsAndReadsBackToThem() {
        FindCustomCrowdsRequest r = FindCustomCrowdsRequest.newBuilder()
                .addDimensions("traits.gender")
                .addDimensions("traits.cityTier")
                .setBaseSegmentId("buyers")
                .build();
        CustomCrowd crowd = CustomCrowd.newBuilder()
                .addMicroGroups("female|1")
                .addMicroGroups("null|3")
                .build();
        Map<String, List<String>> values = Map.of(
                "female|1", List.of("\"female\"", "1"),
                "null|3", List.of("null", "3"));
        String rule = CrowdAnalyses.crowdDefinition(r, crowd, values);
        assertEquals(
                "{\"all\":[{\"segment\":\"buyers\"},{\"any\":[{\"all\":[{\"field\":\"traits.gender\",\"op\":\"eq\","
                        + "\"value\":\"female\"},{\"field\":\"traits.cityTier\",\"op\":\"eq\",\"value\":1}]},"
                        + "{\"all\":[{\"field\":\"traits.gender\",\"op\":\"missing\"},{\"field\":\"traits.cityTier\","
                        + "\"op\":\"eq\",\"value\":3}]}]}]}",
                rule);
        assertEquals(Set.of("female|1", "null|3"), CrowdAnalyses.groupsOf(rule));
        assertEquals(Set.of(), CrowdAnalyses.groupsOf("not json"));
        assertEquals(Set.of(), CrowdAnalyses.groupsOf(null));
    }

    @Test
    void aLaterRunKeepsEachCrowdsAudienceWhenTheirSizesSwap() {
        // this run's largest crowd holds most of what audience 2 held, and the second audience 1's
        List<Set<String>> crowds = List.of(Set.of("a", "b", "c"), Set.of("d", "e"), Set.of("f"));
        Map<Integer, Set<String>> saved = new java.util.TreeMap<>(Map.of(
                1, Set.of("d", "e", "x"),
                2, Set.of("a", "b"),
                3, Set.of("y")));
        // the third continues none: it takes 4, not the number of crowd 3 (archived, its history kept)
        assertArrayEquals(new int[] {2, 1, 4}, CrowdAnalyses.match(crowds, saved));
        // a first save numbers them by size
        assertArrayEquals(new int[] {1, 2, 3}, CrowdAnalyses.match(crowds, Map.of()));
        // two crowds sharing most with one audience: the larger overlap takes it
        assertArrayEquals(
                new int[] {2, 1},
                CrowdAnalyses.match(List.of(Set.of("a"), Set.of("a", "b")), Map.of(1, Set.of("a", "b"))));
    }

    @Test
    void distinctValuesGiveDistinctKeys() {
        assertEquals("female|1|null", CrowdAnalyses.key(List.of("\"female\"", "1", "null")));
        assertEquals("\"null\"|\"1\"|\"a|b\"", CrowdAnalyses.key(List.of("\"null\"", "\"1\"", "\"a|b\"")));
        assertEquals(
                Set.of("\"null\"|x"),
                CrowdAnalyses.groupsOf(
                        "{\"any\": [{\"all\": [{\"field\": \"traits.a\", \"op\": \"eq\", \"value\": \"null\"},"
                                + " {\"field\": \"traits.b\", \"op\": \"eq\", \"value\": \"x\"}]}]}"));
    }

    @Test
    void whoBroughtTheMostDownTheirChains() {
        // a invites b and c; b invites d; e's code was never sent
        List<io.strata.proto.segmentation.v1.FunnelRow> rows = List.of(
                row("a", "").addInviteCodes("1").addInviteCodes("2").build(),
                row("b", "1").addInviteCodes("3").build(),
                row("c", "2").build(),
                row("d", "3").build(),
                row("e", "9").build());
        var spread = CrowdAnalyses.referrals(rows, new boolean[] {true, false, false, false, false}, new boolean[5]);
        assertEquals(3, spread.getReferred());
        assertEquals(2, spread.getMaxDepth());
        assertEquals(2, spread.getTopReferrersCount());
        var a = spread.getTopReferrers(0);
        assertEquals(
                List.of("a", "0", "2", "3"),
                List.of(a.getProfileId(), "" + a.getDepth(), "" + a.getBrought(), "" + a.getReached()));
        var b = spread.getTopReferrers(1);
        assertEquals(
                List.of("b", "1", "1", "1"),
                List.of(b.getProfileId(), "" + b.getDepth(), "" + b.getBrought(), "" + b.getReached()));
        var core = spread.getCohortsList().get(0);
        assertEquals("core", core.getCohort());
        assertEquals(2.0, core.getK(), 1e-12);
        assertEquals(2.0, core.getKPerInviter(), 1e-12);
    }

    private static io.strata.proto.segmentation.v1.FunnelRow.Builder row(String id, String signedUpWith) {
        return io.strata.proto.segmentation.v1.FunnelRow.newBuilder()
                .setProfileId(id)
                .setSignedUpCode(signedUpWith);
    }
}
