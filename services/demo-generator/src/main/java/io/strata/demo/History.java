package io.strata.demo;

import io.strata.demo.Catalog.Product;
import io.strata.demo.Population.Profile;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/** Everything one consumer did, and the facts about them the truths need. */
final class History {

    /** One line item: the unit price actually paid (fen) and the quantity. */
    record Line(Product product, long priceFen, int quantity) {}

    /** An order and where it was placed. */
    record Order(String orderId, long time, String channel, String store, List<Line> lines) {

        long revenueFen() {
            return lines.stream().mapToLong(l -> l.priceFen() * l.quantity()).sum();
        }
    }

    final Profile profile;
    final Identifiers ids;
    final List<SegmentEvent> events = new ArrayList<>();
    final List<Order> orders = new ArrayList<>();
    /** Content features (see {@link ContentModel#FEATURES}) the consumer has seen. */
    final BitSet features = new BitSet();

    boolean member;
    /** The crowd of whoever invited the consumer, or null. */
    Crowd referrerCrowd;

    boolean plantedChurn;
    int visitsPrevious30;
    int visitsLast30;
    /** Weeks from the first purchase to the end of the data, for BG/NBD; NaN for non-buyers. */
    double weeksSinceFirstPurchase = Double.NaN;

    History(Profile profile, Identifiers ids) {
        this.profile = profile;
        this.ids = ids;
    }

    boolean buyer() {
        return !orders.isEmpty();
    }

    /** The DOMAIN churn warning: visits in the last 30 days at most half of the 30 before (which had some). */
    boolean churnWarning() {
        return visitsPrevious30 > 0 && 2L * visitsLast30 <= visitsPrevious30;
    }

    void sort() {
        events.sort(Comparator.comparingLong((SegmentEvent e) -> e.time).thenComparingInt(e -> e.seq));
    }
}
