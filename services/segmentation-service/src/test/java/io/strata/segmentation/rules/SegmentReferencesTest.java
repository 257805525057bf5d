package io.strata.segmentation.rules;

import static io.strata.segmentation.rules.Profiles.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SegmentReferencesTest {

    /** buyers → vip → loyal; lapsed stands alone. */
    private final Map<String, Condition> defined = Map.of(
            "buyers", parse("{'segment': 'vip'}"),
            "vip", parse("{'all': [{'segment': 'loyal'}]}"),
            "loyal", parse("{'field': 'orders.count', 'op': 'gte', 'value': 3}"),
            "lapsed", parse("{'field': 'orders.count', 'op': 'eq', 'value': 0}"));

    private List<Violation> check(String segment, String definition) {
        return SegmentReferences.check(segment, parse(definition), id -> Optional.ofNullable(defined.get(id)));
    }

    @Test
    void referencesToOtherSegmentsAreFine() {
        assertEquals(List.of(), check("new", "{'any': [{'segment': 'buyers'}, {'not': {'segment': 'lapsed'}}]}"));
    }

    @Test
    void aSegmentCannotReachItself() {
        assertEquals(
                List.of(new Violation("segment", "a segment cannot contain itself (vip)")),
                check("vip", "{'segment': 'vip'}"));
        List<Violation> cycle = check("loyal", "{'all': [{'segment': 'lapsed'}, {'not': {'segment': 'buyers'}}]}");
        assertEquals(1, cycle.size());
        assertEquals("all[1].not.segment", cycle.get(0).path());
        assertTrue(
                cycle.get(0).message().contains("loyal → buyers → vip → loyal"),
                cycle.get(0).message());
    }

    @Test
    void unknownSegmentsAreNamed() {
        assertEquals(
                List.of(new Violation("any[1].segment", "unknown segment ghosts")),
                check("new", "{'any': [{'segment': 'vip'}, {'segment': 'ghosts'}]}"));
    }
}
