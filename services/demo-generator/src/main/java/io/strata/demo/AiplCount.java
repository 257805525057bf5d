package io.strata.demo;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A consumer's AIPL stage at the end of the history, counted straight from the events generated
 * for them with the domain guide's default windows: A a passive contact (an ad, content, a product
 * or a page seen) in the last 15 days, I an active one (a coupon claimed, a follow, a cart, a
 * favourite, a sign-up) in the last 15 days, P a purchase in the last 30 months, L purchases on 3 or
 * more days of the last year or a review or share in it; the highest stage wins. Days are counted in
 * UTC, as the local stack's segmentation-service counts them.
 */
final class AiplCount {

    static final String[] STAGES = {"awareness", "interest", "purchase", "loyalty"};

    private static final Set<String> PASSIVE =
            Set.of("Ad Viewed", "Content Viewed", "Product Viewed", "Video Watched", "page");
    private static final Set<String> ACTIVE =
            Set.of("Coupon Claimed", "Followed", "Product Added", "Product Added to Wishlist", "Signed Up");
    private static final Set<String> ADVOCACY = Set.of("Product Reviewed", "Product Shared");
    private static final long DAY = 86_400_000L;

    private AiplCount() {}

    /** The stage's index in {@link #STAGES}, or -1 for none. */
    static int stage(List<SegmentEvent> events, long end) {
        long recent = end - 15 * DAY;
        long year = end - 365 * DAY;
        long purchaseWindow = ZonedDateTime.ofInstant(Instant.ofEpochMilli(end), ZoneOffset.UTC)
                .minusMonths(30)
                .toInstant()
                .toEpochMilli();
        int best = -1;
        Set<LocalDate> purchaseDays = new HashSet<>();
        for (SegmentEvent e : events) {
            if (e.time > end) {
                continue;
            }
            String name = e.type.equals("track") ? e.name : e.type;
            int stage = -1;
            if (ADVOCACY.contains(name) && e.time > year) {
                stage = 3;
            } else if (name.equals("Order Completed") && e.time > purchaseWindow) {
                stage = 2;
                if (e.time > year) {
                    purchaseDays.add(LocalDate.ofInstant(Instant.ofEpochMilli(e.time), ZoneOffset.UTC));
                }
            } else if (ACTIVE.contains(name) && e.time > recent) {
                stage = 1;
            } else if (PASSIVE.contains(name) && e.time > recent) {
                stage = 0;
            }
            best = Math.max(best, stage);
        }
        return purchaseDays.size() >= 3 ? 3 : best;
    }
}
