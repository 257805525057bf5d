package io.strata.segmentation.rules;

import static io.strata.segmentation.rules.Profiles.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionParserTest {

    @Test
    void aNestedDefinitionReadsIntoItsConditions() {
        Condition condition = parse("""
                {'all': [
                  {'field': 'traits.city', 'op': 'in', 'value': ['Shanghai', 'Hangzhou']},
                  {'any': [
                    {'field': 'orders.revenue', 'op': 'between', 'value': [200, 1000]},
                    {'not': {'field': 'tags.skin_type', 'op': 'missing'}}
                  ]},
                  {'field': 'traits.birthday', 'op': 'anniversary_within_next', 'days': 7},
                  {'event': 'Order Completed', 'times': {'op': 'at_least', 'value': 2}, 'within_days': 30,
                   'where': [{'property': 'category', 'op': 'eq', 'value': 'skincare'},
                             {'property': 'revenue', 'op': 'gte', 'value': 200}]},
                  {'segment': 'vip'}
                ]}""");
        Condition.All all = assertInstanceOf(Condition.All.class, condition);
        assertEquals(5, all.conditions().size());
        assertEquals(
                new Condition.Compare("traits.city", FieldType.STRING, Op.IN, List.of("Shanghai", "Hangzhou"), 0),
                all.conditions().get(0));
        Condition.Performed performed =
                assertInstanceOf(Condition.Performed.class, all.conditions().get(3));
        assertEquals(Condition.Times.AT_LEAST, performed.times());
        assertEquals(2, performed.count());
        assertEquals(30, performed.withinDays());
        assertEquals(FieldType.NUMBER, performed.where().get(1).type());
        assertEquals(List.of(200.0), performed.where().get(1).values());
        assertEquals(new Condition.InSegment("vip"), all.conditions().get(4));
    }

    @Test
    void datesAreDaysOrInstants() {
        Condition.Compare day =
                (Condition.Compare) parse("{'field': 'orders.last_order_at', 'op': 'gte', 'value': '2026-03-01'}");
        assertEquals(List.of(LocalDate.parse("2026-03-01")), day.values());
        Condition.Compare instant = (Condition.Compare)
                parse("{'field': 'orders.last_order_at', 'op': 'lt', 'value': '2026-03-01T08:00:00Z'}");
        assertEquals(
                java.time.Instant.parse("2026-03-01T08:00:00Z"),
                instant.values().get(0));
    }

    @Test
    void everyProblemIsReportedWithItsPlace() {
        InvalidConditionException e = assertThrows(InvalidConditionException.class, () -> parse("""
                {'all': [
                  {'field': 'traits.shoe_size', 'op': 'eq', 'value': 42},
                  {'field': 'traits.city', 'op': 'gt', 'value': 'A'},
                  {'field': 'traits.age', 'op': 'eq', 'value': 'thirty'},
                  {'field': 'orders.revenue', 'op': 'between', 'value': [500, 100]},
                  {'event': 'Page Viewed', 'within_days': 500},
                  {'field': 'traits.age', 'op': 'near', 'value': 3},
                  {'field': 'traits.city', 'op': 'eq', 'value': 'x', 'colour': 'red'},
                  {'any': []},
                  {'field': 'traits.birthday', 'op': 'within_last'},
                  {'event': 'Order Completed', 'where': [{'property': 'revenue', 'op': 'starts_with', 'value': 3}]},
                  {'field': 'traits.city', 'segment': 'vip'}
                ]}"""));
        List<String> places = e.violations().stream().map(Violation::path).toList();
        assertEquals(
                List.of(
                        "all[0].field",
                        "all[1].op",
                        "all[2].value",
                        "all[3].value",
                        "all[4].within_days",
                        "all[5].op",
                        "all[6].colour",
                        "all[7].any",
                        "all[8].days",
                        "all[9].where[0].op",
                        "all[10]"),
                places,
                e.getMessage());
        assertTrue(e.violations().get(0).message().contains("unknown field traits.shoe_size"));
        assertTrue(e.violations().get(1).message().contains("does not apply to string field traits.city"));
        assertTrue(e.violations().get(4).message().contains("longer than the 400 days of events kept"));
    }

    @Test
    void shapesThatAreNoConditionAreRefused() {
        for (String bad : List.of(
                "[]",
                "{}",
                "{'not': 3}",
                "{'segment': ''}",
                "{'field': 'traits.city'}",
                "{'field': 'traits.city', 'op': 'exists', 'value': 'x'}",
                "{'field': 'traits.city', 'op': 'in', 'value': []}",
                "{'event': 'Order Completed', 'times': {'op': 'at_least', 'value': -1}}",
                "{'event': 'Order Completed', 'times': {'op': 'more', 'value': 1}}")) {
            assertThrows(InvalidConditionException.class, () -> parse(bad), bad);
        }
    }
}
