package io.strata.segmentation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.rules.Op;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/** Membership changes: exactly one record per profile entering or leaving, through every path. */
class AudiencesTest {

    private static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");

    private final ProfileTable table = new ProfileTable(ZoneId.of("Asia/Shanghai"));
    private final Audiences audiences = new Audiences(table);

    private static Condition city(String city) {
        return new Condition.Compare("traits.city", FieldType.STRING, Op.EQ, List.of(city), 0);
    }

    private static Condition ageAtLeast(double age) {
        return new Condition.Compare("traits.age", FieldType.NUMBER, Op.GTE, List.of(age), 0);
    }

    private int profile(String id, String city, double age) {
        int ordinal = table.ordinal(id);
        table.set(ordinal, "traits.city", FieldType.STRING, city);
        table.set(ordinal, "traits.age", FieldType.NUMBER, age);
        return ordinal;
    }

    private Set<String> ids(String segment) {
        Set<String> out = new java.util.TreeSet<>();
        audiences.members(segment).forEach((int o) -> out.add(table.profileId(o)));
        return out;
    }

    @Test
    void aNewRuleEntersItsMembersOnceAndAnEditEmitsOnlyTheDifference() {
        int a = profile("a", "Shanghai", 30);
        int b = profile("b", "Shanghai", 20);
        profile("c", "Beijing", 40);
        List<Audiences.Change> created = audiences.define("sh", city("Shanghai"), NOW);
        assertEquals(List.of(new Audiences.Change("sh", a, true), new Audiences.Change("sh", b, true)), created);
        assertEquals(List.of(), audiences.define("sh", city("Shanghai"), NOW), "the same rule again changes nothing");
        List<Audiences.Change> edited =
                audiences.define("sh", new Condition.All(List.of(city("Shanghai"), ageAtLeast(25))), NOW);
        assertEquals(List.of(new Audiences.Change("sh", b, false)), edited, "a stays in: no exit and re-entry");
        assertEquals(Set.of("a"), ids("sh"));
    }

    @Test
    void aChangedProfileIsEvaluatedWhereItsInputsAreRead() {
        int a = profile("a", "Beijing", 30);
        audiences.define("sh", city("Shanghai"), NOW);
        audiences.define("old", ageAtLeast(50), NOW);
        table.set(a, "traits.city", FieldType.STRING, "Shanghai");
        assertEquals(
                List.of(new Audiences.Change("sh", a, true)), audiences.profileChanged(a, Set.of("traits.city"), NOW));
        assertEquals(List.of(), audiences.profileChanged(a, Set.of("traits.city"), NOW), "evaluated again: no record");
        // an input the rules do not read is not evaluated, even if the profile would now match
        table.set(a, "traits.age", FieldType.NUMBER, 60.0);
        assertEquals(List.of(), audiences.profileChanged(a, Set.of("traits.other"), NOW));
        assertEquals(
                List.of(new Audiences.Change("old", a, true)), audiences.profileChanged(a, Set.of("traits.age"), NOW));
    }

    @Test
    void aSegmentOfASegmentFollowsInOnePass() {
        int a = profile("a", "Beijing", 30);
        audiences.define("sh", city("Shanghai"), NOW);
        audiences.define("sh-adults", new Condition.All(List.of(new Condition.InSegment("sh"), ageAtLeast(18))), NOW);
        audiences.define("not-sh", new Condition.Not(new Condition.InSegment("sh")), NOW);
        assertEquals(Set.of("a"), ids("not-sh"));
        table.set(a, "traits.city", FieldType.STRING, "Shanghai");
        List<Audiences.Change> changes = audiences.profileChanged(a, Set.of("traits.city"), NOW);
        assertEquals(
                Set.of(
                        new Audiences.Change("sh", a, true),
                        new Audiences.Change("sh-adults", a, true),
                        new Audiences.Change("not-sh", a, false)),
                Set.copyOf(changes));
        assertEquals(3, changes.size());
        // editing the inner rule moves the outer ones with it
        List<Audiences.Change> edited = audiences.define("sh", city("Beijing"), NOW);
        assertEquals(
                Set.of(
                        new Audiences.Change("sh", a, false),
                        new Audiences.Change("sh-adults", a, false),
                        new Audiences.Change("not-sh", a, true)),
                Set.copyOf(edited));
    }

    @Test
    void cyclesAndUnknownSegmentsAreRefusedAndLeaveTheRulesAsTheyWere() {
        profile("a", "Shanghai", 30);
        audiences.define("x", city("Shanghai"), NOW);
        audiences.define("y", new Condition.InSegment("x"), NOW);
        IllegalArgumentException cycle = assertThrows(
                IllegalArgumentException.class, () -> audiences.define("x", new Condition.InSegment("y"), NOW));
        assertTrue(cycle.getMessage().contains("cycle"), cycle.getMessage());
        assertThrows(IllegalArgumentException.class, () -> audiences.define("z", new Condition.InSegment("nope"), NOW));
        assertEquals(Set.of("a"), ids("x"), "x keeps its rule");
        assertEquals(Set.of("x", "y"), audiences.names());
        assertThrows(IllegalArgumentException.class, () -> audiences.drop("x"), "y names x");
        audiences.drop("y");
        audiences.drop("x");
        assertEquals(Set.of(), audiences.names());
    }

    @Test
    void aForgottenProfileLeavesEveryAudience() {
        int a = profile("a", "Shanghai", 30);
        audiences.define("sh", city("Shanghai"), NOW);
        audiences.define("adults", ageAtLeast(18), NOW);
        List<Audiences.Change> left = audiences.forget(a);
        table.forget(a);
        assertEquals(
                Set.of(new Audiences.Change("sh", a, false), new Audiences.Change("adults", a, false)),
                Set.copyOf(left));
        assertEquals(List.of(), audiences.reevaluate(NOW), "forgotten: not evaluated again");
        assertEquals(Set.of(), ids("sh"));
    }

    @Test
    void timeAloneMovesAProfileOutOfAWindowOnTheScheduledPass() {
        int a = table.ordinal("a");
        table.addEvent(a, 1, "Order Completed", NOW.minus(Duration.ofDays(29)), Map.of("revenue", 250.0));
        Condition recent = new Condition.Performed("Order Completed", Condition.Times.AT_LEAST, 1, 30, List.of());
        assertTrue(Audiences.isTimeRelative(recent));
        assertEquals(List.of(new Audiences.Change("recent", a, true)), audiences.define("recent", recent, NOW));
        assertEquals(List.of(), audiences.reevaluate(NOW.plus(Duration.ofHours(23))));
        assertEquals(
                List.of(new Audiences.Change("recent", a, false)),
                audiences.reevaluate(NOW.plus(Duration.ofDays(1)).plusMillis(1)));
    }

    @Test
    void aStaticAudienceIsSetByHandAndRulesMayNameIt() {
        int a = profile("a", "Shanghai", 30);
        int b = profile("b", "Beijing", 30);
        RoaringBitmap vip = RoaringBitmap.bitmapOf(a);
        assertEquals(List.of(new Audiences.Change("vip", a, true)), audiences.setMembers("vip", vip, NOW));
        audiences.define("vip-sh", new Condition.All(List.of(new Condition.InSegment("vip"), city("Shanghai"))), NOW);
        assertEquals(Set.of("a"), ids("vip-sh"));
        List<Audiences.Change> replaced = audiences.setMembers("vip", RoaringBitmap.bitmapOf(b), NOW);
        assertEquals(
                Set.of(
                        new Audiences.Change("vip", a, false),
                        new Audiences.Change("vip", b, true),
                        new Audiences.Change("vip-sh", a, false)),
                Set.copyOf(replaced));
        assertThrows(IllegalArgumentException.class, () -> audiences.setMembers("vip-sh", vip, NOW));
    }
}
