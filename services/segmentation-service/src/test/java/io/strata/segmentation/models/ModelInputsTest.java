package io.strata.segmentation.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.engine.ProfileTable;
import io.strata.segmentation.rules.FieldType;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The models' inputs read off the engine's table: windows from kept events, lifetime from aggregates. */
class ModelInputsTest {

    private static final Instant NOW = Instant.parse("2026-06-30T16:00:00Z");

    private static Instant daysAgo(double days) {
        return NOW.minus(Duration.ofMinutes(Math.round(days * 24 * 60)));
    }

    private static ProfileTable table() {
        ProfileTable table = new ProfileTable(ZoneId.of("Asia/Shanghai"));
        long[] identity = {0};
        // a: two orders in the year, visits falling from two to one, a first order long ago
        int a = table.ordinal("a");
        table.addEvent(a, ++identity[0], "Order Completed", daysAgo(10), Map.of("revenue", 100));
        table.addEvent(a, ++identity[0], "Order Completed", daysAgo(40), Map.of("revenue", 50.5, "category", "x"));
        table.addEvent(a, ++identity[0], "Order Completed", daysAgo(370), Map.of("revenue", 999));
        table.addEvent(a, ++identity[0], "page", daysAgo(45), Map.of());
        table.addEvent(a, ++identity[0], "page", daysAgo(44), Map.of());
        table.addEvent(a, ++identity[0], "page", daysAgo(5), Map.of());
        table.addEvent(a, ++identity[0], "page", NOW.plusSeconds(1), Map.of()); // after "now": not seen
        table.set(a, "orders.first_order_at", FieldType.DATE, daysAgo(800));
        // b: no events kept, an order 20 months ago in the aggregates
        int b = table.ordinal("b");
        table.set(b, "orders.first_order_at", FieldType.DATE, daysAgo(700));
        table.set(b, "orders.last_order_at", FieldType.DATE, daysAgo(600));
        // c: known, nothing else
        table.ordinal("c");
        return table;
    }

    @Test
    void eachProfilesInputsByHand() {
        List<ModelInputs.Profile> inputs = ModelInputs.of(table(), ModelSettings.DEFAULTS, NOW);
        assertEquals(
                List.of("a", "b", "c"),
                inputs.stream().map(ModelInputs.Profile::id).toList());

        ModelInputs.Profile pa = inputs.get(0);
        assertEquals(new Rfm.Input("a", 10, 2, 150.5), pa.rfm());
        assertEquals(new ChurnWarning.Counts(2, 1), pa.churn());
        assertTrue(pa.atRisk());
        assertEquals(new Lifecycle.Facts(daysAgo(800), daysAgo(5), 2, true), pa.lifecycle());
        assertEquals(Optional.of(Aipl.Stage.P), pa.aipl()); // purchases on two days of the year, not three

        ModelInputs.Profile pb = inputs.get(1);
        assertNull(pb.rfm());
        assertFalse(pb.atRisk());
        assertEquals(new Lifecycle.Facts(daysAgo(700), daysAgo(600), 0, false), pb.lifecycle());
        assertEquals(Optional.of(Aipl.Stage.P), pb.aipl()); // within 30 months, by the aggregate
        assertEquals(
                Lifecycle.Stage.CHURNED,
                Lifecycle.next(pb.lifecycle(), Lifecycle.Settings.DEFAULTS, null, NOW)
                        .stage());

        ModelInputs.Profile pc = inputs.get(2);
        assertNull(pc.rfm());
        assertEquals(Optional.empty(), pc.aipl());
        assertEquals(
                Lifecycle.Stage.POTENTIAL,
                Lifecycle.next(pc.lifecycle(), Lifecycle.Settings.DEFAULTS, null, NOW)
                        .stage());
    }

    @Test
    void aggregatesLaterThanTheRunsInstantAreNotSeen() {
        ProfileTable table = new ProfileTable(ZoneId.of("UTC"));
        int d = table.ordinal("d");
        table.set(d, "orders.first_order_at", FieldType.DATE, daysAgo(10));
        table.set(d, "orders.last_order_at", FieldType.DATE, NOW.plusSeconds(60));
        table.set(d, "profile.last_seen", FieldType.DATE, NOW.plusSeconds(60));
        // a run as of ten days ago: the first order is not yet either
        ModelInputs.Profile before =
                ModelInputs.of(table, ModelSettings.DEFAULTS, daysAgo(11)).get(0);
        assertEquals(new Lifecycle.Facts(null, null, 0, false), before.lifecycle());
        ModelInputs.Profile now =
                ModelInputs.of(table, ModelSettings.DEFAULTS, NOW).get(0);
        assertEquals(new Lifecycle.Facts(daysAgo(10), null, 0, false), now.lifecycle());
        assertEquals(Optional.empty(), now.aipl());
    }

    @Test
    void aRunsOutputsAsTheCatalogsTagsWithCountsPerClass() {
        List<ModelInputs.Profile> inputs = ModelInputs.of(table(), ModelSettings.DEFAULTS, NOW);
        Lifecycle.State churnedBefore = new Lifecycle.State(Lifecycle.Stage.CHURNED, daysAgo(100));
        ModelOutputs.Run run = ModelOutputs.compute(inputs, ModelSettings.DEFAULTS, Map.of("b", churnedBefore), NOW);
        // a alone bought in the year: R 5 (the most recent), F and M 1; none above its mean
        Map<String, String> a = run.profiles().get(0).tags(false);
        assertEquals("general_win_back", a.get("rfm_group"));
        assertEquals("5", a.get("rfm_r_score"));
        assertEquals("1", a.get("rfm_f_score"));
        assertEquals("1", a.get("rfm_m_score"));
        assertEquals("at_risk", a.get("lifecycle_stage"));
        assertEquals("purchase", a.get("aipl_stage"));
        assertEquals("true", a.get("churn_risk"));
        // b stays churned since it was: the same state, the same instant
        assertEquals(churnedBefore, run.profiles().get(1).lifecycle());
        Map<String, String> c = run.profiles().get(2).tags(false);
        assertNull(c.get("rfm_group"));
        assertNull(c.get("rfm_r_score"));
        assertEquals("potential", c.get("lifecycle_stage"));
        assertNull(c.get("aipl_stage"));
        assertNull(c.get("churn_risk"));
        assertEquals(1L, run.counts().get("rfm_group").get("general_win_back"));
        assertEquals(0L, run.counts().get("rfm_group").get("important_value"));
        assertEquals(
                Map.of(
                        "potential",
                        1L,
                        "new",
                        0L,
                        "active",
                        0L,
                        "loyal",
                        0L,
                        "at_risk",
                        1L,
                        "churned",
                        1L,
                        "recalled",
                        0L),
                run.counts().get("lifecycle_stage"));
        assertEquals(2L, run.counts().get("aipl_stage").get("purchase"));
        assertEquals(Map.of("true", 1L, "false", 2L), run.counts().get("churn_risk"));
    }

    @Test
    void clvInputsFromTheEventsKeptElseFromTheAggregates() {
        ProfileTable table = new ProfileTable(ZoneId.of("UTC"));
        Instant now = Instant.parse("2026-06-30T00:00:00Z");
        Instant day = Instant.parse("2026-05-01T10:00:00Z");
        // d: every order kept: days 0 (trial, 30 + 10 the same day), 14 (40), 42 (20); 60 days to the run
        int d = table.ordinal("d");
        table.addEvent(d, 1, "Order Completed", day, Map.of("revenue", 30));
        table.addEvent(d, 2, "Order Completed", day.plusSeconds(3600), Map.of("revenue", 10));
        table.addEvent(d, 3, "Order Completed", day.plus(Duration.ofDays(14)), Map.of("revenue", 40));
        table.addEvent(d, 4, "Order Completed", day.plus(Duration.ofDays(42)), Map.of("revenue", 20));
        table.addEvent(d, 5, "Order Completed", now.plusSeconds(60), Map.of("revenue", 999)); // after the run
        table.set(d, "orders.first_order_at", FieldType.DATE, day);
        // e: the first order older than the events kept: 4 purchase days, 400 spent, 70 days apart
        int e = table.ordinal("e");
        table.set(e, "orders.first_order_at", FieldType.DATE, now.minus(Duration.ofDays(140)));
        table.set(e, "orders.last_order_at", FieldType.DATE, now.minus(Duration.ofDays(70)));
        table.set(e, "orders.purchase_days", FieldType.NUMBER, 4);
        table.set(e, "orders.revenue", FieldType.NUMBER, 400);
        // f: as e, but an order came after the run's instant: the aggregates cannot tell
        int f = table.ordinal("f");
        table.set(f, "orders.first_order_at", FieldType.DATE, now.minus(Duration.ofDays(140)));
        table.set(f, "orders.last_order_at", FieldType.DATE, now.plus(Duration.ofDays(1)));
        table.set(f, "orders.purchase_days", FieldType.NUMBER, 4);

        List<ModelInputs.Profile> inputs = ModelInputs.of(table, ModelSettings.DEFAULTS, now);
        assertEquals(
                new CustomerSummary("d", 2, 42 / 7.0, 60 / 7.0, 30),
                inputs.get(0).clv());
        assertEquals(new CustomerSummary("e", 3, 10, 20, 100), inputs.get(1).clv());
        assertNull(inputs.get(2).clv());
    }
}
