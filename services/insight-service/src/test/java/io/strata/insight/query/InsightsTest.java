package io.strata.insight.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.insight.association.AssociationRules;
import io.strata.insight.association.Baskets;
import io.strata.insight.association.Rule;
import io.strata.insight.funnel.Event;
import io.strata.insight.funnel.Funnel;
import io.strata.insight.funnel.Step;
import io.strata.insight.grow.Grow;
import io.strata.insight.retention.Retention;
import io.strata.insight.store.EventStore;
import io.strata.insight.store.EventStore.Membership;
import io.strata.insight.store.EventStore.Row;
import io.strata.insight.tgi.Tgi;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/** The analyses' rows read by SQL from a real store, the analyses run on them, against hand counts. */
class InsightsTest {

    private static final String T = "acme";
    private static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");

    @TempDir
    Path dir;

    private long offset;

    private void add(EventStore store, String profile, String name, Instant at, Double revenue, String json)
            throws Exception {
        store.append(0, offset++, new Row(T, profile, "src", "m" + offset, name, at, revenue, null, json));
    }

    private static void member(EventStore store, String audience, String profile) {
        store.membership(new Membership(T, audience, profile, true, T0));
    }

    @Test
    void tgiOfTheDomainExampleFromStoredEventsAndAudiences() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            // 280 in the audience, 70 of them viewed parenting content; 1,500 others, 625 did
            for (int i = 0; i < 280; i++) {
                String p = "a" + i;
                member(store, "mums", p);
                add(
                        store,
                        p,
                        "Content Viewed",
                        T0,
                        null,
                        "{\"channel\":\"xiaohongshu\",\"topic\":\"" + (i < 70 ? "parenting" : "beauty") + "\"}");
            }
            for (int i = 0; i < 1500; i++) {
                String p = "o" + i;
                member(store, "others", p);
                add(
                        store,
                        p,
                        "Content Viewed",
                        T0,
                        null,
                        "{\"channel\":\"douyin\",\"topic\":\"" + (i < 625 ? "parenting" : "deals") + "\"}");
            }
            // an identify's traits give the city; a device type comes from the context
            store.append(
                    0,
                    offset++,
                    new Row(
                            T,
                            "a0",
                            "src",
                            "id-a0",
                            "identify",
                            T0,
                            null,
                            null,
                            null,
                            "ios",
                            "wechat",
                            "{\"city\":\"上海\",\"cityTier\":1}"));
            store.flush();
            try (Connection c = store.openQuery()) {
                Insights insights = new Insights(c);
                FeatureIndex index = FeatureIndex.build(c, T, Dimensions.ALL);
                assertEquals(1780, index.profiles());
                FeatureIndex.Lookup lookup = index.lookup();
                RoaringBitmap mums = lookup.bitmap(insights.members(T, "mums"));
                RoaringBitmap others = lookup.bitmap(insights.members(T, "others"));
                List<Tgi.Row> rows = Tgi.compute(index.counts(mums, others, Set.of("topic")), Tgi.Settings.DEFAULT);
                Tgi.Row parenting = rows.stream()
                        .filter(r -> r.counts().value().equals("parenting"))
                        .findFirst()
                        .orElseThrow();
                assertEquals(60.0, parenting.index(), 1e-9);
                assertEquals(48.56, parenting.lower(), 0.005);
                assertEquals(74.13, parenting.upper(), 0.005);
                assertEquals(0, parenting.counts().bothWith(), "disjoint audience and base");
                assertTrue(rows.stream().allMatch(r -> r.counts().dimension().equals("topic")));

                assertNotNull(index.bitmap("city", "上海"));
                assertEquals(1, index.bitmap("city_tier", "1").getCardinality());
                assertEquals(1, index.bitmap("device", "ios").getCardinality());
                assertEquals(1, index.bitmap("acquisition", "wechat").getCardinality());
                assertEquals(
                        1780,
                        index.bitmap("channel", "xiaohongshu").getCardinality()
                                + index.bitmap("channel", "douyin").getCardinality());

                // against all profiles: the audience is inside the base, tested against the rest
                Tgi.Counts all = index.counts(mums, index.all(), Set.of("topic")).stream()
                        .filter(x -> x.value().equals("parenting"))
                        .findFirst()
                        .orElseThrow();
                assertEquals(695, all.baseWith());
                assertEquals(70, all.bothWith());
                assertEquals(280, all.both());
            }
        }
    }

    @Test
    void basketsPerOrderAndPerConsumerAndTheirFigures() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            add(store, "p1", "Order Completed", T0, 30.0, order("skincare", 10, 2, "masks", 10, 1));
            add(store, "p1", "Order Completed", T0.plus(Duration.ofDays(3)), 20.0, order("snacks", 20, 1));
            add(store, "p2", "Order Completed", T0, 12.0, order("skincare", 12, 1));
            add(store, "p2", "Order Completed", T0.plus(Duration.ofDays(40)), 5.0, order("coffee", 5, 1));
            add(store, "p3", "Product Viewed", T0, null, "{\"category\":\"skincare\"}");
            member(store, "vip", "p1");
            store.flush();
            try (Connection c = store.openQuery()) {
                Insights insights = new Insights(c);
                Insights.Period all = Insights.Period.ALL;
                Baskets orders = insights.baskets(T, Insights.Level.CATEGORY, 0, null, all);
                assertEquals(4, orders.size());
                Baskets consumers = insights.baskets(T, Insights.Level.CATEGORY, 30, null, all);
                assertEquals(2, consumers.size(), "p1 bought three categories within 30 days, p2 one");
                AssociationRules.Result result =
                        AssociationRules.mine(consumers, new AssociationRules.Settings(0.5, 0.5, 3));
                assertTrue(
                        result.rules().stream().anyMatch(r -> name(consumers, r).equals("masks->skincare")));
                assertEquals(
                        2,
                        insights.baskets(T, Insights.Level.CATEGORY, 0, "vip", all)
                                .size(),
                        "only the audience's two orders");

                Map<String, Grow.Figures> figures = insights.figures(
                        T, Insights.Level.CATEGORY, null, new Insights.Period(T0, T0.plus(Duration.ofDays(10))));
                assertEquals(new Grow.Figures(2, 2, 3, 32.0), figures.get("skincare"));
                assertEquals(Set.of("skincare", "masks", "snacks"), figures.keySet());
            }
        }
    }

    @Test
    void funnelEventsCarryTheirFilteredPropertiesAndRetentionItsDays() throws Exception {
        try (EventStore store = EventStore.open(dir)) {
            add(store, "p1", "Product Added", T0, null, "{\"category\":\"skincare\"}");
            add(store, "p1", "page", T0.plusSeconds(30), null, "{}");
            add(store, "p1", "Order Completed", T0.plusSeconds(60), 99.0, order("skincare", 99, 1));
            add(store, "p2", "Product Added", T0, null, "{\"category\":\"snacks\"}");
            add(store, "p2", "Order Completed", T0.plus(Duration.ofDays(1)), 10.0, order("snacks", 10, 1));
            add(store, "p3", "Product Added", T0, null, "{\"category\":\"skincare\"}");
            store.flush();
            try (Connection c = store.openQuery()) {
                Insights insights = new Insights(c);
                Funnel.Settings settings = Funnel.Settings.ordered(List.of(
                        Step.of("Product Added").where(Step.Filter.eq("category", "skincare")),
                        Step.of("Order Completed")));
                List<Event> events = insights.funnelEvents(T, settings, null, null, Insights.Period.ALL);
                assertEquals(5, events.size(), "the page view is no step");
                var result =
                        Funnel.compute(events, settings, Funnel.Breakdown.NONE).get("");
                assertEquals(2, result.get(0).people());
                assertEquals(1, result.get(1).people());
                Funnel.Settings strict = new Funnel.Settings(settings.steps(), Funnel.Order.STRICT, null, List.of());
                assertEquals(
                        6,
                        insights.funnelEvents(T, strict, null, null, Insights.Period.ALL)
                                .size(),
                        "a strict funnel needs every event");
                assertEquals(
                        0,
                        Funnel.compute(
                                        insights.funnelEvents(T, strict, null, null, Insights.Period.ALL),
                                        strict,
                                        Funnel.Breakdown.NONE)
                                .get("")
                                .get(1)
                                .people(),
                        "a page view between the steps breaks a strict path");

                List<Retention.Activity> activities = insights.activities(
                        T, "Product Added", "Order Completed", null, Insights.Period.ALL, ZoneOffset.UTC);
                List<Retention.Cohort> cohorts = Retention.compute(
                        activities, new Retention.Settings(Retention.Period.DAY, 3, Retention.Mode.FIRST_TIME, 1));
                assertEquals(1, cohorts.size());
                assertEquals(3, cohorts.get(0).size());
                assertEquals(1, cohorts.get(0).returnedOn()[1], "p2 ordered the next day; p1 the same day");
                assertEquals(10.0, cohorts.get(0).revenue()[1], 1e-9);
                assertEquals(6, insights.volume(T)[0]);
                assertEquals(3, insights.volume(T)[1]);
            }
        }
    }

    @Test
    void channelsAcquireAndContentIsCreditedWithTheOrdersItLastTouched() throws Exception {
        Instant day = Instant.parse("2026-03-02T00:00:00Z");
        Duration h = Duration.ofHours(1);
        try (EventStore store = EventStore.open(dir)) {
            store.append(
                    0,
                    offset++,
                    new Row(
                            T,
                            "p1",
                            "s",
                            "m" + offset,
                            "page",
                            day.plus(h),
                            null,
                            null,
                            "{}",
                            "ios",
                            "wechat_ads",
                            null));
            add(store, "p1", "Content Viewed", day.plus(h.multipliedBy(2)), null, view("xiaohongshu", "lin"));
            add(store, "p1", "Order Completed", day.plus(Duration.ofDays(2)), 100.0, "{}");
            add(store, "p2", "Content Viewed", day.plus(h), null, view("douyin", "dage"));
            add(store, "p2", "Order Completed", day.plus(Duration.ofDays(10)), 50.0, "{}");
            add(store, "p3", "Content Viewed", day.plus(Duration.ofDays(1)), null, view("xiaohongshu", "lin"));
            add(store, "p3", "Content Viewed", day.plus(Duration.ofDays(2)), null, view("douyin", "dage"));
            add(store, "p3", "Order Completed", day.plus(Duration.ofDays(3)), 30.0, "{}");
            add(store, "p4", "Content Viewed", day.minus(Duration.ofDays(30)), null, view("douyin", "dage"));
            store.flush();
            try (Connection c = store.openQuery()) {
                Insights insights = new Insights(c);
                Instant to = day.plus(Duration.ofDays(7));
                assertEquals(
                        List.of(
                                new Insights.ChannelFigures("douyin", 1, 1, 50),
                                new Insights.ChannelFigures("wechat_ads", 1, 1, 100),
                                new Insights.ChannelFigures("xiaohongshu", 1, 1, 30)),
                        insights.channels(T, day, to),
                        "p4 came before the period; p1 by its campaign, the others by their first content's channel");
                assertEquals(
                        List.of(
                                new Insights.ContentFigures("dage", List.of("douyin"), 2, 1, 1, 30),
                                new Insights.ContentFigures("lin", List.of("xiaohongshu"), 2, 1, 1, 100)),
                        insights.contents(T, day, to, 7),
                        "p3's order is the last content's; p2's came 10 days after its view");
                assertEquals(2, insights.contents(T, day, to, 10).get(0).orders(), "within 10 days p2's counts");
            }
        }
    }

    private static String view(String channel, String creator) {
        return "{\"channel\":\"" + channel + "\",\"creator\":\"" + creator + "\"}";
    }

    private static String name(Baskets baskets, Rule rule) {
        return baskets.name(rule.antecedent()[0]) + "->" + baskets.name(rule.consequent()[0]);
    }

    /** An Order Completed's properties: (category, price, quantity) per line. */
    private static String order(Object... lines) {
        StringBuilder out = new StringBuilder("{\"products\":[");
        for (int i = 0; i < lines.length; i += 3) {
            out.append(i == 0 ? "" : ",")
                    .append("{\"category\":\"")
                    .append(lines[i])
                    .append("\",\"product_id\":\"P-")
                    .append(lines[i])
                    .append("\",\"price\":")
                    .append(lines[i + 1])
                    .append(",\"quantity\":")
                    .append(lines[i + 2])
                    .append('}');
        }
        return out.append("]}").toString();
    }
}
