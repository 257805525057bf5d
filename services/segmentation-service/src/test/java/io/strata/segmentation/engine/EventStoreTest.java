package io.strata.segmentation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.rules.ProfileFacts.EventFact;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
}
