package io.strata.segmentation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.Evaluator;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.rules.Op;
import io.strata.segmentation.rules.ProfileFacts;
import io.strata.segmentation.rules.ProfileFacts.EventFact;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

class EventStoreTest {

    private static final Instant T = Instant.parse("2026-06-01T10:00:00.123Z");

    @Test
    void keepsEventsWithTheirPropertiesTyped() {
        EventStore store = new EventStore();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("category", "skincare");
        properties.put("revenue", 199.5);
        properties.put("first", true);
        properties.put("nothing", null);
        properties.put("count", 3);
        assertTrue(store.add(7, 11, "Order Completed", T, properties));
        assertTrue(store.add(7, 12, "Page Viewed", T.plusSeconds(1), Map.of()));
        List<EventFact> orders = store.events(7, "Order Completed");
        assertEquals(1, orders.size());
        assertEquals(T, orders.get(0).at());
        assertEquals(
                Map.of("category", "skincare", "revenue", 199.5, "first", true, "count", 3.0),
                orders.get(0).properties());
        assertEquals(List.of(), store.events(7, "Signed Up"));
        assertEquals(List.of(), store.events(8, "Order Completed"));
        assertEquals(RoaringBitmap.bitmapOf(7), store.performed("Page Viewed"));
    }

    @Test
    void aRedeliveredEventIsKeptOnce() {
        EventStore store = new EventStore();
        assertTrue(store.add(1, 42, "Order Completed", T, Map.of("revenue", 10.0)));
        assertFalse(store.add(1, 42, "Order Completed", T, Map.of("revenue", 10.0)));
        assertTrue(store.add(2, 42, "Order Completed", T, Map.of()), "identities are per profile");
        assertEquals(1, store.events(1, "Order Completed").size());
    }

    @Test
    void pruningDropsOnlyEventsBeforeTheCutoffAndForgettingDropsAll() {
        EventStore store = new EventStore();
        store.add(1, 1, "Page Viewed", T.minusMillis(1), Map.of("path", "/a"));
        store.add(1, 2, "Page Viewed", T, Map.of("path", "/b"));
        store.add(2, 3, "Signed Up", T.minusSeconds(60), Map.of());
        assertEquals(2, store.prune(T));
        assertEquals(List.of(new EventFact(T, Map.of("path", "/b"))), store.events(1, "Page Viewed"));
        assertEquals(new RoaringBitmap(), store.performed("Signed Up"));
        assertFalse(store.add(1, 2, "Page Viewed", T, Map.of()), "a kept event still deduplicates");
        store.clear(1);
        assertEquals(List.of(), store.events(1, "Page Viewed"));
        assertEquals(new RoaringBitmap(), store.performed("Page Viewed"));
    }

    /**
     * The index's answers stay exact while events are moved to another profile, pruned and
     * forgotten, and while properties leave the index (one that gets a number; one with more values
     * than it holds): for counts in windows, what {@link EventStore#narrow} decides equals the count
     * read from the events, and it decides most profiles by an indexed property without reading them.
     */
    @Test
    void theIndexStaysExactThroughMovesPruningAndForgetting() {
        Random random = new Random(7);
        EventStore store = new EventStore();
        Instant now = T.plus(Duration.ofDays(200));
        int profiles = 400;
        long identity = 0;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3_000; i++) {
                Map<String, Object> properties = new HashMap<>();
                properties.put("channel", List.of("app", "web", "store").get(random.nextInt(3)));
                // a property with a number now and then, and one with too many values: both leave the index
                properties.put("size", round == 1 && i == 10 ? 3.0 : "s" + random.nextInt(3));
                properties.put("sku", "sku-" + random.nextInt(round == 0 ? 10 : 500));
                Instant at = now.minus(Duration.ofMillis((long) (random.nextDouble() * 120 * 86_400_000L)));
                store.add(random.nextInt(profiles), ++identity, "Order Completed", at, properties);
            }
            // some profiles merged into others, old events pruned, a few profiles forgotten
            for (int i = 0; i < 20; i++) {
                int from = random.nextInt(profiles);
                int to = random.nextInt(profiles);
                Set<Long> all = new HashSet<>();
                store.all(from).forEach(e -> all.add(e.identity()));
                for (EventStore.StoredEvent moved : store.take(from, all)) {
                    if (from != to) {
                        store.add(to, moved.identity(), moved.name(), moved.at(), moved.properties());
                    }
                }
            }
            store.prune(now.minus(Duration.ofDays(100 - 10L * round)));
            for (int i = 0; i < 5; i++) {
                store.clear(random.nextInt(profiles));
            }
            int decided = 0;
            int asked = 0;
            for (String property : List.of("channel", "size", "sku")) {
                for (Condition.Times times : Condition.Times.values()) {
                    for (int count : new int[] {0, 1, 2, 3, 9}) {
                        for (int days : new int[] {0, 6, 30, 45}) {
                            String value = switch (property) {
                                case "channel" -> "web";
                                case "size" -> "s1";
                                default -> "sku-3";
                            };
                            Condition.Performed performed = new Condition.Performed(
                                    "Order Completed",
                                    times,
                                    count,
                                    days,
                                    List.of(new Condition.PropertyFilter(
                                            property, FieldType.STRING, Op.EQ, List.of(value))));
                            RoaringBitmap scan =
                                    store.performed("Order Completed").clone();
                            EventStore.Narrowed narrowed = store.narrow(performed, now, scan);
                            RoaringBitmap meets = narrowed.meets().clone();
                            EventStore.Counter counter = store.counter(performed, now);
                            narrowed.unknown().forEach((int o) -> {
                                if (meets(performed, counter.count(o))) {
                                    meets.add(o);
                                }
                            });
                            RoaringBitmap expected = new RoaringBitmap();
                            scan.forEach((int o) -> {
                                long n = Evaluator.count(performed, facts(store, o), now);
                                if (meets(performed, n)) {
                                    expected.add(o);
                                }
                            });
                            assertEquals(expected, meets, "round " + round + " " + performed);
                            if (property.equals("channel")) {
                                decided += scan.getCardinality()
                                        - narrowed.unknown().getCardinality();
                                asked += scan.getCardinality();
                            }
                        }
                    }
                }
            }
            assertTrue(decided > asked / 2, "the index decided " + decided + " of " + asked + " by channel");
        }
    }

    /** Past the most properties the index holds, the later ones' filters read the logs (and count right). */
    @Test
    void propertiesBeyondTheIndexsBoundReadTheLogs() {
        EventStore store = new EventStore();
        Map<String, Object> properties = new LinkedHashMap<>();
        for (int key = 0; key < EventIndex.MOST_KEYS + 10; key++) {
            properties.put("p" + key, "v");
        }
        for (int profile = 0; profile < 50; profile++) {
            store.add(profile, profile, "Viewed", T.minus(Duration.ofDays(20)), properties);
        }
        Instant now = T;
        RoaringBitmap all = store.performed("Viewed");
        for (String key : List.of("p0", "p" + (EventIndex.MOST_KEYS + 5))) {
            Condition.Performed performed = new Condition.Performed(
                    "Viewed",
                    Condition.Times.AT_LEAST,
                    1,
                    0,
                    List.of(new Condition.PropertyFilter(key, FieldType.STRING, Op.EQ, List.of("v"))));
            EventStore.Narrowed narrowed = store.narrow(performed, now, all.clone());
            boolean indexed = key.equals("p0");
            assertEquals(indexed ? all : new RoaringBitmap(), narrowed.meets(), key);
            assertEquals(indexed ? new RoaringBitmap() : all, narrowed.unknown(), key);
            assertEquals(1, store.counter(performed, now).count(7), key);
        }
    }

    private static boolean meets(Condition.Performed performed, long count) {
        return switch (performed.times()) {
            case AT_LEAST -> count >= performed.count();
            case AT_MOST -> count <= performed.count();
            case EXACTLY -> count == performed.count();
        };
    }

    private static ProfileFacts facts(EventStore store, int ordinal) {
        return new ProfileFacts() {
            @Override
            public Object value(String field) {
                return null;
            }

            @Override
            public List<EventFact> events(String name) {
                return store.events(ordinal, name);
            }
        };
    }
}
