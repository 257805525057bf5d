package io.strata.insight.funnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.insight.funnel.Funnel.Breakdown;
import io.strata.insight.funnel.Funnel.Exclusion;
import io.strata.insight.funnel.Funnel.Order;
import io.strata.insight.funnel.Funnel.Settings;
import io.strata.insight.funnel.Funnel.StepResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FunnelTest {

    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final List<Step> STEPS =
            List.of(Step.of("Product Viewed"), Step.of("Product Added"), Step.of("Order Completed"));

    @Test
    void peopleAreCountedAtTheFurthestStepTheyReachedInOrder() {
        List<Event> events = List.of(
                e("a", 0, "Product Viewed"),
                e("a", 1, "Product Added"),
                e("a", 5, "Order Completed"),
                e("b", 0, "Product Viewed"),
                e("b", 2, "Product Added"),
                e("c", 0, "Product Viewed"),
                // d added before viewing: in order, only the view counts
                e("d", 0, "Product Added"),
                e("d", 1, "Product Viewed"),
                // e never viewed: not in the funnel
                e("e", 0, "Order Completed"));
        List<StepResult> steps = one(Funnel.compute(events, Settings.ordered(STEPS), Breakdown.NONE));

        assertEquals(List.of(4L, 2L, 1L), steps.stream().map(StepResult::people).toList());
        assertEquals(0.5, steps.get(1).fromPrevious(), 1e-12);
        assertEquals(0.25, steps.get(2).fromFirst(), 1e-12);
        assertEquals(2, steps.get(1).dropOff());
        assertEquals(Duration.ofMinutes(90), steps.get(1).medianTimeFromPrevious(), "1 h and 2 h");
        assertEquals(Duration.ofHours(4), steps.get(2).meanTimeFromPrevious());
    }

    @Test
    void theWindowRunsFromTheFirstStepAndAStepMayHaveItsOwn() {
        List<Event> events = List.of(
                e("a", 0, "Product Viewed"),
                e("a", 24 * 15, "Product Added"),
                e("b", 0, "Product Viewed"),
                e("b", 3, "Product Added"),
                e("b", 4, "Order Completed"));
        assertEquals(List.of(2L, 1L, 1L), people(Funnel.compute(events, Settings.ordered(STEPS), Breakdown.NONE)));

        List<Step> quickCart = List.of(STEPS.get(0), STEPS.get(1).within(Duration.ofHours(2)), STEPS.get(2));
        assertEquals(
                List.of(2L, 0L, 0L),
                people(Funnel.compute(events, Settings.ordered(quickCart), Breakdown.NONE)),
                "b added after 3 h, more than the step's 2 h");
    }

    @Test
    void strictOrderWantsTheNextEventAndAnyOrderTakesThemAsTheyCome() {
        List<Event> events = List.of(
                e("a", 0, "Product Viewed"),
                e("a", 1, "Search"),
                e("a", 2, "Product Added"),
                e("b", 0, "Product Added"),
                e("b", 1, "Product Viewed"),
                e("b", 2, "Order Completed"));
        Settings strict = new Settings(STEPS, Order.STRICT, null, null);
        assertEquals(List.of(2L, 0L, 0L), people(Funnel.compute(events, strict, Breakdown.NONE)));
        Settings ordered = new Settings(STEPS, Order.ORDERED, null, null);
        assertEquals(List.of(2L, 1L, 0L), people(Funnel.compute(events, ordered, Breakdown.NONE)));
        Settings any = new Settings(STEPS, Order.ANY, null, null);
        assertEquals(List.of(2L, 2L, 1L), people(Funnel.compute(events, any, Breakdown.NONE)));
    }

    @Test
    void anExclusionEndsProgressUnlessTheStepBeforeComesAgain() {
        Step refund = Step.of("Order Refunded");
        List<Event> events = List.of(
                e("a", 0, "Product Viewed"),
                e("a", 1, "Product Added"),
                e("a", 2, "Order Refunded"),
                e("a", 3, "Order Completed"),
                e("b", 0, "Product Viewed"),
                e("b", 1, "Product Added"),
                e("b", 2, "Order Refunded"),
                e("b", 3, "Product Added"),
                e("b", 4, "Order Completed"));
        Settings settings = new Settings(STEPS, Order.ORDERED, null, List.of(new Exclusion(refund, 2)));
        assertEquals(List.of(2L, 2L, 1L), people(Funnel.compute(events, settings, Breakdown.NONE)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Settings(STEPS, Order.ORDERED, null, List.of(new Exclusion(refund, 3))));
    }

    @Test
    void filtersAndBreakdownsSplitTheFunnel() {
        List<Step> bigOrders =
                List.of(Step.of("Product Viewed"), Step.of("Order Completed").where(Step.Filter.gte("revenue", 200)));
        List<Event> events = new ArrayList<>();
        events.add(e("a", 0, "Product Viewed", Map.of("channel", "douyin")));
        events.add(e("a", 1, "Order Completed", Map.of("revenue", 250)));
        events.add(e("b", 0, "Product Viewed", Map.of("channel", "douyin")));
        events.add(e("b", 1, "Order Completed", Map.of("revenue", 150)));
        events.add(e("c", 0, "Product Viewed", Map.of("channel", "xiaohongshu")));
        events.add(e("c", 1, "Order Completed", Map.of("revenue", "300")));

        var byChannel = Funnel.compute(events, Settings.ordered(bigOrders), Breakdown.byProperty("channel"));
        assertEquals(List.of("douyin", "xiaohongshu"), List.copyOf(byChannel.keySet()));
        assertEquals(
                List.of(2L, 1L),
                byChannel.get("douyin").stream().map(StepResult::people).toList());
        assertEquals(
                List.of(1L, 1L),
                byChannel.get("xiaohongshu").stream().map(StepResult::people).toList());

        var byAudience = Funnel.compute(
                events, Settings.ordered(bigOrders), Breakdown.byAudience(Map.of("a", "core", "c", "core")));
        assertEquals(
                List.of(2L, 2L),
                byAudience.get("core").stream().map(StepResult::people).toList());
        assertEquals(
                List.of(1L, 0L),
                byAudience.get("(none)").stream().map(StepResult::people).toList());
    }

    @Test
    void theDouyin5aPresetCountsARepurchaseAsAdvocacy() {
        List<Step> fiveA = Funnel.presets().get("douyin-5a");
        List<Event> events = List.of(
                e("a", 0, "Ad Viewed"),
                e("a", 1, "Content Viewed"),
                e("a", 2, "Product Viewed"),
                e("a", 3, "Order Completed"),
                e("a", 4, "Order Completed"),
                e("b", 0, "Ad Viewed"),
                e("b", 1, "Content Viewed"),
                e("b", 2, "Product Viewed"),
                e("b", 3, "Order Completed"));
        assertEquals(
                List.of(2L, 2L, 2L, 2L, 1L), people(Funnel.compute(events, Settings.ordered(fiveA), Breakdown.NONE)));
        assertEquals("A5 advocate", fiveA.get(4).label());
    }

    private static List<Long> people(Map<String, List<StepResult>> result) {
        return one(result).stream().map(StepResult::people).toList();
    }

    private static List<StepResult> one(Map<String, List<StepResult>> result) {
        assertEquals(1, result.size(), result.keySet().toString());
        return result.values().iterator().next();
    }

    private static Event e(String person, int hours, String name) {
        return e(person, hours, name, Map.of());
    }

    private static Event e(String person, int hours, String name, Map<String, Object> properties) {
        return new Event(person, T0.plus(Duration.ofHours(hours)), name, properties);
    }
}
