package io.strata.profile.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TraitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T1 = Instant.parse("2026-05-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-06-01T00:00:00Z");

    private static ObjectNode object(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void aLateWriteOfAnOlderTimeDoesNotOverwriteANewerValue() throws Exception {
        Traits traits = Traits.empty();
        Set<String> changed = new TreeSet<>();
        traits.write(object("{\"city\":\"上海\",\"name\":\"Li\"}"), T2, changed);
        traits.write(object("{\"city\":\"北京\",\"gender\":\"female\"}"), T1, changed);
        assertEquals(object("{\"city\":\"上海\",\"name\":\"Li\",\"gender\":\"female\"}"), traits.values());
        assertEquals(Set.of("city", "name", "gender"), changed);

        Traits inOrder = Traits.empty();
        inOrder.write(object("{\"city\":\"北京\",\"gender\":\"female\"}"), T1, new TreeSet<>());
        inOrder.write(object("{\"city\":\"上海\",\"name\":\"Li\"}"), T2, new TreeSet<>());
        assertEquals(inOrder.values(), traits.values(), "arrival order does not matter");
        assertEquals(inOrder.times(), traits.times());
    }

    @Test
    void ofTwoWritesAtTheSameTimeTheOneAppliedLastWinsAndAnUnchangedValueIsNoChange() throws Exception {
        Traits traits = Traits.empty();
        traits.write(object("{\"tier\":\"gold\"}"), T1, new TreeSet<>());
        Set<String> changed = new TreeSet<>();
        traits.write(object("{\"tier\":\"gold\"}"), T2, changed);
        assertEquals(Set.of(), changed, "the same value again changes nothing");
        traits.write(object("{\"tier\":\"silver\"}"), T2, changed);
        assertEquals("silver", traits.values().get("tier").asText());
        assertEquals(Set.of("tier"), changed);
    }

    @Test
    void aMergeKeepsTheNewerValueOfEachTrait() throws Exception {
        Traits target = Traits.empty();
        target.write(object("{\"city\":\"北京\",\"name\":\"Li\"}"), T1, new TreeSet<>());
        Traits source = Traits.empty();
        source.write(object("{\"city\":\"上海\",\"email\":\"li@example.com\"}"), T2, new TreeSet<>());
        Set<String> changed = new TreeSet<>();
        target.merge(source, changed);
        assertEquals(object("{\"city\":\"上海\",\"name\":\"Li\",\"email\":\"li@example.com\"}"), target.values());
        assertEquals(Set.of("city", "email"), changed);
    }

    @Test
    void traitsStoredWithoutATimeYieldToAnyEventButNotToAnotherProfileWithoutOne() throws Exception {
        Traits legacy = new Traits(object("{\"city\":\"北京\"}"), Map.of());
        legacy.merge(new Traits(object("{\"city\":\"广州\"}"), Map.of()), new TreeSet<>());
        assertEquals("北京", legacy.values().get("city").asText(), "without times the target keeps its own");
        legacy.write(object("{\"city\":\"上海\"}"), T1, new TreeSet<>());
        assertEquals("上海", legacy.values().get("city").asText());
    }
}
