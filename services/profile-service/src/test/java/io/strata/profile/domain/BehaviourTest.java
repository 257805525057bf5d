package io.strata.profile.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BehaviourTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final Instant NOW = Instant.parse("2026-11-01T04:00:00Z");
    private static final int TODAY = Behaviour.day(NOW, SHANGHAI);

    /** One event as the applier folds it in. */
    private record E(String name, Instant at, BigDecimal revenue, List<Facet> facets) {}

    private static List<E> history() {
        List<E> events = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            Instant at = NOW.minusSeconds(random.nextInt(500 * 86_400));
            switch (i % 4) {
                case 0 ->
                    events.add(new E(
                            "Order Completed",
                            at,
                            BigDecimal.valueOf(random.nextInt(50_000), 2),
                            List.of(
                                    new Facet(Facet.CATEGORY, "c" + random.nextInt(5)),
                                    new Facet(Facet.PRODUCT, "p" + random.nextInt(20)))));
                case 1 ->
                    events.add(new E(
                            "Content Viewed",
                            at,
                            null,
                            List.of(new Facet(Facet.CONTENT_TOPIC, "t" + random.nextInt(3)))));
                default -> events.add(new E("page", at, null, List.of(new Facet(Facet.PLATFORM, "ios"))));
            }
        }
        return events;
    }

    private static Behaviour fold(List<E> events) {
        Behaviour behaviour = new Behaviour();
        Behaviour.Changes changes = new Behaviour.Changes();
        for (E e : events) {
            behaviour.add(e.name(), e.at(), e.revenue(), e.facets(), SHANGHAI, TODAY, changes);
        }
        return behaviour;
    }

    private static String json(Behaviour behaviour) throws Exception {
        return JSON.writeValueAsString(behaviour);
    }

    @Test
    void anyOrderOfArrivalGivesTheResultOfTimeOrder() throws Exception {
        List<E> events = history();
        List<E> inOrder = new ArrayList<>(events);
        inOrder.sort((a, b) -> a.at().compareTo(b.at()));
        String expected = json(fold(inOrder));
        for (int seed = 0; seed < 5; seed++) {
            List<E> shuffled = new ArrayList<>(events);
            Collections.shuffle(shuffled, new Random(seed));
            assertEquals(expected, json(fold(shuffled)), "arrival order " + seed);
        }
    }

    @Test
    void mergingTwoProfilesEqualsFoldingAllTheirEventsIntoOne() throws Exception {
        List<E> events = history();
        Behaviour left = fold(events.subList(0, 120));
        Behaviour right = fold(events.subList(120, events.size()));
        left.merge(right, TODAY, new Behaviour.Changes());
        assertEquals(json(fold(events)), json(left));
        Behaviour stored = JSON.readValue(json(left), Behaviour.class);
        assertEquals(json(left), json(stored), "the stored form reads back to the same aggregates");
    }

    @Test
    void ordersCountRevenueAverageAndDistinctPurchaseDays() {
        Behaviour behaviour = fold(List.of(
                order("2026-10-31T03:00:00Z", "100.50"),
                // the same local day (Shanghai) as the one before, though another UTC day
                order("2026-10-30T17:00:00Z", "99.50"),
                order("2026-01-02T10:00:00Z", "1")));
        Behaviour.Orders orders = behaviour.orders;
        assertEquals(3, orders.n);
        assertEquals(new BigDecimal("201.00"), orders.revenue);
        assertEquals(new BigDecimal("67.00"), orders.average());
        assertEquals(2, orders.days.size(), "two distinct days of the tenant's zone");
        assertEquals(Instant.parse("2026-01-02T10:00:00Z").toEpochMilli(), orders.first);
        assertEquals(Instant.parse("2026-10-31T03:00:00Z").toEpochMilli(), orders.last);
    }

    @Test
    void rollingWindowsCountTheDaysEndingToday() {
        List<E> events = new ArrayList<>();
        for (int daysAgo : new int[] {0, 6, 7, 29, 30, 89, 364, 365, 399, 450}) {
            events.add(new E("page", NOW.minusSeconds(daysAgo * 86_400L), null, List.of()));
        }
        Behaviour.Stats pages = fold(events).events.get("page");
        assertEquals(10, pages.n, "lifetime counts everything");
        assertEquals(2, pages.window(TODAY, 7));
        assertEquals(4, pages.window(TODAY, 30));
        assertEquals(6, pages.window(TODAY, 90));
        assertEquals(7, pages.window(TODAY, 365));
        assertTrue(pages.daily.firstKey() > TODAY - Behaviour.DAYS_KEPT, "older days are not kept");
    }

    @Test
    void aDimensionKeepsAtMostItsLimitOfValues() {
        List<E> events = new ArrayList<>();
        for (int i = 0; i < Behaviour.VALUES_PER_DIMENSION + 50; i++) {
            events.add(new E("Product Viewed", NOW, null, List.of(new Facet(Facet.PRODUCT, "p" + i))));
        }
        Behaviour behaviour = fold(events);
        assertEquals(
                Behaviour.VALUES_PER_DIMENSION,
                behaviour.facets.get(Facet.PRODUCT).size());
        assertNull(behaviour.orders, "no order, no order stats");
    }

    private static E order(String at, String revenue) {
        return new E("Order Completed", Instant.parse(at), new BigDecimal(revenue), List.of());
    }
}
