package io.strata.insight.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.insight.funnel.Funnel;
import io.strata.insight.funnel.Step;
import io.strata.insight.retention.Retention;
import io.strata.insight.store.EventStore;
import io.strata.insight.store.EventStore.Membership;
import io.strata.insight.store.EventStore.Row;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The funnel and the retention table computed in the engine ({@link FunnelQuery},
 * {@link RetentionQuery}) against the plain-Java analyses over the same stored events, on random
 * people whose events are close enough together to exercise windows, repeats and period edges.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InEngineAnalysesTest {

    private static final String T = "acme";
    private static final Instant T0 = Instant.parse("2026-03-01T20:00:00Z");
    private static final List<String> NAMES =
            List.of("Content Viewed", "Product Viewed", "Product Added", "Order Completed", "Signed Up");
    private static final List<String> CHANNELS = List.of("douyin", "xiaohongshu", "wechat");

    @TempDir
    static Path dir;

    private EventStore store;

    @BeforeAll
    void fill() throws Exception {
        store = EventStore.open(dir);
        Random random = new Random(7);
        long offset = 0;
        Set<Long> used = new HashSet<>();
        for (int p = 0; p < 400; p++) {
            String profile = "p" + p;
            int events = 1 + random.nextInt(25);
            for (int i = 0; i < events; i++) {
                String name = NAMES.get(random.nextInt(NAMES.size()));
                // within about 70 days, to the second, one event per instant
                long second;
                do {
                    second = random.nextLong(70L * 86_400);
                } while (!used.add(second));
                String json = "{\"channel\":\"" + CHANNELS.get(random.nextInt(CHANNELS.size())) + "\",\"revenue\":"
                        + random.nextInt(500) + (random.nextInt(5) == 0 ? "" : ",\"category\":\"skincare\"") + "}";
                Double revenue = name.equals("Order Completed") ? (double) random.nextInt(300) : null;
                store.append(
                        0,
                        offset++,
                        new Row(T, profile, "src", "m" + offset, name, T0.plusSeconds(second), revenue, null, json));
            }
            if (p % 3 == 0) {
                store.membership(new Membership(T, "vip", profile, true, T0));
            }
            if (p % 4 == 0) {
                store.membership(new Membership(T, "new", profile, true, T0));
            }
        }
        // a step exactly at the end of the window still counts
        store.append(0, offset++, new Row(T, "edge", "src", "e1", "Content Viewed", T0, null, null, "{}"));
        store.append(
                0,
                offset++,
                new Row(T, "edge", "src", "e2", "Product Viewed", T0.plusSeconds(10_800), null, null, "{}"));
        // properties that only look like numbers to one reader or another are no numbers to either
        int odd = 0;
        for (String revenue : List.of("NaN", "inf", "Infinity", "5d", " 250", "0x1p9", "250", "-1e3", ".5e3")) {
            String p = "odd" + odd++;
            Instant at = T0.plus(Duration.ofDays(odd));
            store.append(0, offset++, new Row(T, p, "src", p + "a", "Content Viewed", at, null, null, "{}"));
            store.append(
                    0,
                    offset++,
                    new Row(
                            T,
                            p,
                            "src",
                            p + "b",
                            "Order Completed",
                            at.plusSeconds(60),
                            null,
                            null,
                            "{\"revenue\":\"" + revenue + "\",\"channel\":\"wechat\"}"));
            store.append(
                    0,
                    offset++,
                    new Row(
                            T,
                            p,
                            "src",
                            p + "c",
                            "Signed Up",
                            at.plusSeconds(120),
                            null,
                            null,
                            "{\"channel\":\"wechat\"}"));
        }
        // a step at the very instant of the step before does not follow it; one an hour later does
        Instant same = T0.plus(Duration.ofDays(5));
        store.append(0, offset++, new Row(T, "same", "src", "s1", "Content Viewed", same, null, null, "{}"));
        store.append(0, offset++, new Row(T, "same", "src", "s2", "Product Viewed", same, null, null, "{}"));
        store.append(
                0,
                offset++,
                new Row(T, "same", "src", "s3", "Product Viewed", same.plusSeconds(3_600), null, null, "{}"));
        // another tenant's events are never counted
        store.append(0, offset, new Row("other", "p1", "src", "x", "Content Viewed", T0, null, null, "{}"));
        store.flush();
    }

    @AfterAll
    void close() throws Exception {
        store.close();
    }

    private Map<String, List<Funnel.StepResult>> inJava(
            Connection c, Funnel.Settings settings, String property, String audience, Insights.Period period)
            throws Exception {
        var events = new Insights(c).funnelEvents(T, settings, property, audience, period);
        return Funnel.compute(
                events, settings, property == null ? Funnel.Breakdown.NONE : Funnel.Breakdown.byProperty(property));
    }

    @Test
    void orderedFunnelsInTheEngineEqualThePlainJavaFunnel() throws Exception {
        List<List<Step>> funnels = List.of(
                List.of(
                        Step.of("Content Viewed"),
                        Step.of("Product Viewed"),
                        Step.of("Product Added"),
                        Step.of("Order Completed")),
                Funnel.presets().get("douyin-5a"),
                List.of(
                        Step.of("Product Viewed").where(Step.Filter.eq("category", "skincare")),
                        Step.of("Order Completed").where(Step.Filter.gte("revenue", 200))),
                List.of(
                        Step.of("Content Viewed"),
                        Step.of("Order Completed")
                                .where(new Step.Filter("channel", Step.Filter.Op.NE, List.of("douyin")))
                                .where(new Step.Filter("channel", Step.Filter.Op.IN, List.of("wechat", "douyin")))
                                .where(new Step.Filter("revenue", Step.Filter.Op.LT, List.of(400)))),
                List.of(Step.of("Signed Up"), Step.of("Signed Up"), Step.of("Signed Up")),
                List.of(
                        Step.of("Content Viewed"),
                        Step.of("Order Completed").where(Step.Filter.gte("revenue", 200)),
                        Step.of("Signed Up").where(Step.Filter.eq("channel", "wechat"))),
                // filters that hold for no event, then one that must still read its own value
                List.of(
                        Step.of("Content Viewed"),
                        Step.of("Order Completed")
                                .where(new Step.Filter("revenue", Step.Filter.Op.GT, List.of("abc")))
                                .where(new Step.Filter("channel", Step.Filter.Op.IN, List.of())),
                        Step.of("Signed Up").where(Step.Filter.eq("channel", "wechat"))),
                List.of(Step.of("Content Viewed"), Step.of("Signed Up").where(Step.Filter.eq("channel", "wechat"))));
        List<Duration> windows = List.of(Duration.ofDays(14), Duration.ofDays(2), Duration.ofHours(3));
        List<Insights.Period> periods = List.of(
                Insights.Period.ALL, new Insights.Period(T0.plus(Duration.ofDays(10)), T0.plus(Duration.ofDays(40))));
        int compared = 0;
        try (Connection c = store.openQuery()) {
            FunnelQuery engine = new FunnelQuery(c);
            for (List<Step> steps : funnels) {
                for (Duration window : windows) {
                    Funnel.Settings settings = new Funnel.Settings(steps, Funnel.Order.ORDERED, window, List.of());
                    for (Insights.Period period : periods) {
                        for (String property : new String[] {null, "channel"}) {
                            for (String audience : new String[] {null, "vip"}) {
                                var expected = inJava(c, settings, property, audience, period);
                                var actual = engine.compute(T, settings, property, audience, period);
                                assertEquals(
                                        expected,
                                        actual,
                                        steps + " within " + window + " by " + property + " of " + audience + " in "
                                                + period);
                                // the cells a replica sends when the funnel is gathered give the same
                                Map<String, List<Funnel.StepResult>> fromCells = new TreeMap<>();
                                engine.cells(T, settings, property, audience, period)
                                        .forEach((group, cells) -> fromCells.put(group, cells.results(steps)));
                                assertEquals(expected, fromCells, "from the cells: " + steps + " by " + property);
                                compared++;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(192, compared);
    }

    @Test
    void theEngineComputesOnlyTheFunnelsItCovers() throws Exception {
        List<Step> steps = List.of(Step.of("Content Viewed"), Step.of("Order Completed"));
        assertTrue(FunnelQuery.covers(Funnel.Settings.ordered(steps)));
        assertFalse(FunnelQuery.covers(new Funnel.Settings(steps, Funnel.Order.STRICT, null, List.of())));
        assertFalse(FunnelQuery.covers(new Funnel.Settings(steps, Funnel.Order.ANY, null, List.of())));
        assertFalse(FunnelQuery.covers(new Funnel.Settings(
                steps, Funnel.Order.ORDERED, null, List.of(new Funnel.Exclusion(Step.of("Signed Up"), 0)))));
        assertFalse(FunnelQuery.covers(Funnel.Settings.ordered(
                List.of(Step.of("Content Viewed"), Step.of("Order Completed").within(Duration.ofDays(1))))));
        try (Connection c = store.openQuery()) {
            var settings = new Funnel.Settings(steps, Funnel.Order.STRICT, null, List.of());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new FunnelQuery(c).compute(T, settings, null, null, Insights.Period.ALL));
        }
    }

    @Test
    void retentionInTheEngineEqualsThePlainJavaTable() throws Exception {
        int compared = 0;
        try (Connection c = store.openQuery()) {
            Insights insights = new Insights(c);
            RetentionQuery engine = new RetentionQuery(c);
            for (Retention.Period unit : Retention.Period.values()) {
                for (Retention.Mode mode : Retention.Mode.values()) {
                    for (ZoneId zone : List.of(
                            ZoneOffset.UTC,
                            ZoneOffset.ofHoursMinutes(5, 30),
                            ZoneId.of("Asia/Shanghai"),
                            ZoneId.of("America/New_York"))) {
                        for (String[] events : new String[][] {
                            {"Order Completed", "Order Completed"}, {"Content Viewed", "Order Completed"}
                        }) {
                            for (int minReturns : new int[] {1, 2}) {
                                var settings = new Retention.Settings(
                                        unit, unit == Retention.Period.DAY ? 30 : 6, mode, minReturns);
                                for (String audience : new String[] {null, "vip"}) {
                                    var period = audience == null
                                            ? Insights.Period.ALL
                                            : new Insights.Period(
                                                    T0.plus(Duration.ofDays(3)), T0.plus(Duration.ofDays(50)));
                                    var expected = Retention.compute(
                                            insights.activities(T, events[0], events[1], audience, period, zone),
                                            settings);
                                    var members = audience == null
                                            ? RetentionQuery.Members.ALL
                                            : new RetentionQuery.Members(List.of(audience), List.of());
                                    var actual =
                                            engine.cohorts(T, events[0], events[1], settings, period, zone, members);
                                    assertSame(
                                            expected,
                                            actual,
                                            unit + " " + mode + " " + zone + " " + List.of(events) + " at least "
                                                    + minReturns + " of " + audience);
                                    compared++;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertEquals(192, compared);
    }

    @Test
    void theEngineKnowsEveryZoneJavaKnowsAndEveryFixedOffset() throws Exception {
        try (Connection c = store.openQuery()) {
            RetentionQuery engine = new RetentionQuery(c);
            for (String zone : ZoneId.getAvailableZoneIds()) {
                assertTrue(engine.knows(ZoneId.of(zone)), zone);
            }
            assertTrue(engine.knows(ZoneOffset.ofHoursMinutes(5, 45)));
            assertTrue(engine.knows(ZoneId.of("UTC+08:00")));
        }
    }

    @Test
    void retentionGroupsByAudiencesAsTheBreakdownDoes() throws Exception {
        var settings = new Retention.Settings(Retention.Period.WEEK, 8, Retention.Mode.FIRST_TIME, 2);
        try (Connection c = store.openQuery()) {
            Insights insights = new Insights(c);
            var activities = insights.activities(
                    T, "Content Viewed", "Order Completed", null, Insights.Period.ALL, ZoneOffset.UTC);
            Map<String, Set<String>> of = insights.audiencesOf(T, List.of("vip", "new"));
            Map<String, List<Retention.Activity>> groups = new HashMap<>();
            for (Retention.Activity a : activities) {
                Set<String> in = of.getOrDefault(a.person(), Set.of("(none)"));
                in.forEach(
                        g -> groups.computeIfAbsent(g, k -> new ArrayList<>()).add(a));
            }
            RetentionQuery engine = new RetentionQuery(c);
            for (String group : List.of("vip", "new", "(none)")) {
                var members = group.equals("(none)")
                        ? new RetentionQuery.Members(List.of(), List.of("vip", "new"))
                        : new RetentionQuery.Members(List.of(group), List.of());
                assertSame(
                        Retention.compute(groups.get(group), settings),
                        engine.cohorts(
                                T,
                                "Content Viewed",
                                "Order Completed",
                                settings,
                                Insights.Period.ALL,
                                ZoneOffset.UTC,
                                members),
                        group);
            }
        }
    }

    @Test
    void theDomainsThreeUsersExampleInTheEngine() throws Exception {
        try (EventStore three = EventStore.open(dir.resolve("three"))) {
            Instant d0 = Instant.parse("2026-03-02T10:00:00Z");
            long offset = 0;
            for (String p : List.of("a", "b", "c")) {
                three.append(0, offset++, new Row(T, p, "s", "m" + offset, "Visit", d0, null, null, "{}"));
            }
            three.append(
                    0,
                    offset++,
                    new Row(T, "a", "s", "m" + offset, "Visit", d0.plus(Duration.ofDays(1)), null, null, "{}"));
            three.append(
                    0,
                    offset++,
                    new Row(T, "b", "s", "m" + offset, "Visit", d0.plus(Duration.ofDays(5)), null, null, "{}"));
            three.flush();
            try (Connection c = three.openQuery()) {
                var cohorts = new RetentionQuery(c)
                        .cohorts(
                                T,
                                "Visit",
                                "Visit",
                                new Retention.Settings(Retention.Period.DAY, 7, Retention.Mode.FIRST_TIME, 1),
                                Insights.Period.ALL,
                                ZoneOffset.UTC,
                                RetentionQuery.Members.ALL);
                assertEquals(1, cohorts.size());
                assertArrayEquals(
                        new long[] {3, 1, 0, 0, 0, 1, 0}, cohorts.get(0).returnedOn(), "100/33/0/0/0/33/0 %");
                assertArrayEquals(
                        new long[] {3, 2, 1, 1, 1, 1, 0}, cohorts.get(0).returnedOnOrAfter(), "100/66/33/33/33/33/0 %");
            }
        }
    }

    private static void assertSame(List<Retention.Cohort> expected, List<Retention.Cohort> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": cohorts");
        for (int i = 0; i < expected.size(); i++) {
            Retention.Cohort e = expected.get(i);
            Retention.Cohort a = actual.get(i);
            String cohort = what + ", cohort " + e.start();
            assertEquals(e.start(), a.start(), cohort);
            assertEquals(e.size(), a.size(), cohort + ": size");
            assertArrayEquals(e.returnedOn(), a.returnedOn(), cohort + ": on");
            assertArrayEquals(e.returnedOnOrAfter(), a.returnedOnOrAfter(), cohort + ": on or after");
            assertArrayEquals(e.returnedAtLeast(), a.returnedAtLeast(), cohort + ": at least");
            assertArrayEquals(e.revenue(), a.revenue(), 1e-6, cohort + ": revenue");
        }
    }
}
