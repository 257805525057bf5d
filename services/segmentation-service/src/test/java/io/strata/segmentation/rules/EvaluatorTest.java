package io.strata.segmentation.rules;

import static io.strata.segmentation.rules.Profiles.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.rules.Profiles.Profile;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    private static final Instant NOW = Instant.parse("2026-12-02T04:00:00Z"); // 12:00 in Shanghai
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final Evaluator.Context AT_NOON =
            new Evaluator.Context(NOW, SHANGHAI, segment -> segment.equals("vip"));

    private static boolean matches(String definition, Profile profile) {
        return matches(definition, profile, AT_NOON);
    }

    private static boolean matches(String definition, Profile profile, Evaluator.Context context) {
        return Evaluator.matches(parse(definition), profile, context);
    }

    private static String field(String field, String op, String value) {
        return "{'field': '" + field + "', 'op': '" + op + "'" + (value == null ? "" : ", 'value': " + value) + "}";
    }

    @Test
    void textOperators() {
        Profile p = new Profile().with("traits.city", "Shanghai");
        assertTrue(matches(field("traits.city", "eq", "'Shanghai'"), p));
        assertFalse(matches(field("traits.city", "eq", "'shanghai'"), p), "exact, case included");
        assertTrue(matches(field("traits.city", "ne", "'Beijing'"), p));
        assertFalse(matches(field("traits.city", "ne", "'Shanghai'"), p));
        assertTrue(matches(field("traits.city", "in", "['Beijing', 'Shanghai']"), p));
        assertFalse(matches(field("traits.city", "not_in", "['Beijing', 'Shanghai']"), p));
        assertTrue(matches(field("traits.city", "not_in", "['Beijing']"), p));
        assertTrue(matches(field("traits.city", "contains", "'ngha'"), p));
        assertFalse(matches(field("traits.city", "contains", "'Hang'"), p));
        assertTrue(matches(field("traits.city", "starts_with", "'Shang'"), p));
        assertFalse(matches(field("traits.city", "starts_with", "'hai'"), p));
        assertTrue(matches(field("traits.city", "exists", null), p));
        assertFalse(matches(field("traits.city", "missing", null), p));
        assertTrue(matches(field("tags.skin_type", "missing", null), p));
    }

    @Test
    void numberOperatorsAndTheirEdges() {
        Profile p = new Profile().with("orders.revenue", 200).with("traits.member", true);
        assertTrue(matches(field("orders.revenue", "eq", "200.0"), p), "an int value equals its double");
        assertTrue(matches(field("orders.revenue", "gte", "200"), p));
        assertFalse(matches(field("orders.revenue", "gt", "200"), p));
        assertTrue(matches(field("orders.revenue", "lte", "200"), p));
        assertFalse(matches(field("orders.revenue", "lt", "200"), p));
        assertTrue(matches(field("orders.revenue", "between", "[200, 300]"), p), "between includes its ends");
        assertTrue(matches(field("orders.revenue", "between", "[100, 200]"), p));
        assertFalse(matches(field("orders.revenue", "between", "[200.01, 300]"), p));
        assertTrue(matches(field("orders.revenue", "in", "[100, 200]"), p));
        assertTrue(matches(field("orders.revenue", "not_in", "[100, 300]"), p));
        assertTrue(matches(field("traits.member", "eq", "true"), p));
        assertTrue(matches(field("traits.member", "ne", "false"), p));
    }

    @Test
    void aMissingValueMeetsOnlyMissing() {
        Profile none = new Profile();
        for (String op : new String[] {"eq", "ne", "gt", "lt"}) {
            assertFalse(matches(field("orders.revenue", op, "1"), none), op);
        }
        assertFalse(matches(field("traits.city", "not_in", "['Beijing']"), none));
        assertFalse(matches(field("facets.channel", "not_in", "['tmall']"), none.with("facets.channel", Set.of())));
        assertTrue(matches("{'not': " + field("traits.city", "eq", "'Beijing'") + "}", new Profile()));
        assertTrue(matches(field("facets.channel", "missing", null), new Profile().with("facets.channel", Set.of())));
    }

    @Test
    void aValueOfAnotherTypeMeetsNoComparisonButExists() {
        Profile changed = new Profile().with("traits.age", "thirty").with("traits.city", 42);
        assertFalse(matches(field("traits.age", "gte", "18"), changed));
        assertFalse(matches(field("traits.age", "ne", "18"), changed));
        assertTrue(matches(field("traits.age", "exists", null), changed));
        assertFalse(matches(field("traits.age", "missing", null), changed));
        assertTrue(matches(field("traits.city", "eq", "'42'"), changed), "asked as text, a number is its text");
        Profile ordered = new Profile().performed("Order Completed", NOW, "revenue", "a lot");
        assertFalse(matches(
                "{'event': 'Order Completed', 'where': [{'property': 'revenue', 'op': 'gte', 'value': 200}]}",
                ordered));
        assertFalse(
                matches("{'event': 'Order Completed', 'where': [{'property': 'revenue', 'op': 'missing'}]}", ordered),
                "a property of another type is there, not missing");
    }

    @Test
    void facetsHoldSeveralValues() {
        Profile p = new Profile().with("facets.channel", Set.of("tmall", "douyin"));
        assertTrue(matches(field("facets.channel", "contains", "'douyin'"), p));
        assertTrue(matches(field("facets.channel", "in", "['jd', 'tmall']"), p));
        assertFalse(matches(field("facets.channel", "not_in", "['jd', 'tmall']"), p));
        assertTrue(matches(field("facets.channel", "not_in", "['jd']"), p));
    }

    @Test
    void withinTheLastDaysIncludesItsFirstAndLastMillisecond() {
        String rule = field("orders.last_order_at", "within_last", null).replace("}", ", 'days': 30}");
        Instant start = NOW.minus(Duration.ofDays(30));
        assertTrue(matches(rule, new Profile().with("orders.last_order_at", start)));
        assertFalse(matches(rule, new Profile().with("orders.last_order_at", start.minusMillis(1))));
        assertTrue(matches(rule, new Profile().with("orders.last_order_at", NOW)));
        assertFalse(
                matches(rule, new Profile().with("orders.last_order_at", NOW.plusMillis(1))),
                "the future is not the last 30 days");
        String before = field("orders.last_order_at", "before_last", null).replace("}", ", 'days': 30}");
        assertTrue(matches(before, new Profile().with("orders.last_order_at", start.minusMillis(1))));
        assertFalse(matches(before, new Profile().with("orders.last_order_at", start)));
        String next = field("orders.last_order_at", "within_next", null).replace("}", ", 'days': 1}");
        assertTrue(matches(next, new Profile().with("orders.last_order_at", NOW.plus(Duration.ofDays(1)))));
        assertFalse(matches(
                next,
                new Profile()
                        .with(
                                "orders.last_order_at",
                                NOW.plus(Duration.ofDays(1)).plusMillis(1))));
    }

    @Test
    void dayValuedFieldsCountByCalendarDayInTheTenantsZone() {
        // 2026-12-02 00:30 in Shanghai is still 2026-12-01 in UTC
        Instant justAfterMidnight = Instant.parse("2026-12-01T16:30:00Z");
        Evaluator.Context shanghai = new Evaluator.Context(justAfterMidnight, SHANGHAI, s -> false);
        Evaluator.Context utc = new Evaluator.Context(justAfterMidnight, ZoneId.of("UTC"), s -> false);
        String signedUpToday = field("traits.signed_up_at", "eq", "'2026-12-02'");
        Profile p = new Profile().with("traits.signed_up_at", LocalDate.parse("2026-12-02"));
        assertTrue(
                matches(field("traits.signed_up_at", "within_last", null).replace("}", ", 'days': 1}"), p, shanghai));
        assertFalse(
                matches(field("traits.signed_up_at", "within_last", null).replace("}", ", 'days': 1}"), p, utc),
                "in UTC that day has not begun");
        Profile ordered = new Profile().with("traits.signed_up_at", justAfterMidnight);
        assertTrue(matches(signedUpToday, ordered, shanghai), "an instant falls on its day in the tenant's zone");
        assertFalse(matches(signedUpToday, ordered, utc));
    }

    @Test
    void birthdaysInTheNextDays() {
        String rule = field("traits.birthday", "anniversary_within_next", null).replace("}", ", 'days': 7}");
        assertTrue(matches(rule, new Profile().with("traits.birthday", LocalDate.parse("1990-12-02"))), "today");
        assertTrue(matches(rule, new Profile().with("traits.birthday", LocalDate.parse("1990-12-09"))), "the 7th day");
        assertFalse(matches(rule, new Profile().with("traits.birthday", LocalDate.parse("1990-12-10"))));
        assertFalse(matches(rule, new Profile().with("traits.birthday", LocalDate.parse("1990-12-01"))), "yesterday");
        Evaluator.Context newYearsEve =
                new Evaluator.Context(Instant.parse("2026-12-30T04:00:00Z"), SHANGHAI, s -> false);
        assertTrue(
                matches(rule, new Profile().with("traits.birthday", LocalDate.parse("1985-01-03")), newYearsEve),
                "across the new year");
        Evaluator.Context lateFebruary =
                new Evaluator.Context(Instant.parse("2027-02-27T04:00:00Z"), SHANGHAI, s -> false);
        String oneDay = rule.replace("'days': 7", "'days': 1");
        assertTrue(
                matches(oneDay, new Profile().with("traits.birthday", LocalDate.parse("2000-02-29")), lateFebruary),
                "29 February falls on the 28th in 2027");
    }

    @Test
    void eventCountsInAWindowWithPropertyFilters() {
        Profile p = new Profile()
                .performed("Order Completed", NOW.minus(Duration.ofDays(30)), "category", "skincare", "revenue", 250)
                .performed("Order Completed", NOW.minus(Duration.ofDays(3)), "category", "skincare", "revenue", 120)
                .performed("Order Completed", NOW.minus(Duration.ofDays(2)), "category", "makeup", "revenue", 400)
                .performed("Order Completed", NOW.minus(Duration.ofDays(31)), "category", "skincare", "revenue", 999);
        String skincare = "{'event': 'Order Completed', 'times': {'op': '%s', 'value': %d}, 'within_days': 30,"
                + " 'where': [{'property': 'category', 'op': 'eq', 'value': 'skincare'}]}";
        assertTrue(matches(skincare.formatted("at_least", 2), p), "the window's first millisecond counts");
        assertFalse(matches(skincare.formatted("at_least", 3), p), "the 31st day back does not");
        assertTrue(matches(skincare.formatted("exactly", 2), p));
        assertTrue(matches(skincare.formatted("at_most", 2), p));
        assertFalse(matches(skincare.formatted("at_most", 1), p));
        String big = "{'event': 'Order Completed', 'within_days': 30,"
                + " 'where': [{'property': 'revenue', 'op': 'gte', 'value': 200}]}";
        assertTrue(matches(big, p));
        assertFalse(matches(big.replace("200", "500"), p));
        assertTrue(
                matches("{'event': 'Order Completed', 'times': {'op': 'exactly', 'value': 4}}", p),
                "no window: all kept");
        assertTrue(
                matches("{'event': 'Product Shared', 'times': {'op': 'at_most', 'value': 0}}", p), "never performed");
        assertFalse(matches("{'event': 'Product Shared'}", p), "at least once, by default");
        assertFalse(matches("{'event': 'Order Completed', 'where': [{'property': 'coupon', 'op': 'exists'}]}", p));
    }

    @Test
    void nestingAndOtherSegments() {
        Profile p = new Profile().with("traits.city", "Shanghai").with("orders.count", 3);
        assertTrue(matches("{'all': [{'segment': 'vip'}, " + field("orders.count", "gte", "3") + "]}", p));
        assertFalse(matches("{'all': [{'segment': 'lapsed'}, " + field("orders.count", "gte", "3") + "]}", p));
        assertTrue(matches("{'any': [{'segment': 'lapsed'}, " + field("traits.city", "eq", "'Shanghai'") + "]}", p));
        assertFalse(matches("{'not': {'any': [{'segment': 'lapsed'}, {'segment': 'vip'}]}}", p));
        assertEquals(
                Set.of("vip", "lapsed"),
                Evaluator.references(
                        parse("{'any': [{'segment': 'vip'}, {'not': {'all': [{'segment': 'lapsed'}]}}]}")));
    }
}
