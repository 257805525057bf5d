package io.strata.segmentation.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test profiles and definitions. */
final class Profiles {

    static final ObjectMapper JSON = new ObjectMapper();

    static final FieldCatalog CATALOG = new FieldCatalog(
            Map.of(
                    "city", FieldType.STRING,
                    "age", FieldType.NUMBER,
                    "member", FieldType.BOOLEAN,
                    "birthday", FieldType.DATE,
                    "signed_up_at", FieldType.DATE),
            400);

    private Profiles() {}

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Condition parse(String text) {
        return new ConditionParser(CATALOG).parse(json(text));
    }

    /** A profile of fields and events, built up by a test. */
    static final class Profile implements ProfileFacts {
        final Map<String, Object> fields = new HashMap<>();
        final Map<String, List<EventFact>> events = new HashMap<>();

        Profile with(String field, Object value) {
            fields.put(field, value);
            return this;
        }

        Profile performed(String name, Instant at, Object... properties) {
            Map<String, Object> props = new HashMap<>();
            for (int i = 0; i < properties.length; i += 2) {
                props.put((String) properties[i], properties[i + 1]);
            }
            events.computeIfAbsent(name, n -> new ArrayList<>()).add(new EventFact(at, props));
            return this;
        }

        @Override
        public Object value(String field) {
            return fields.get(field);
        }

        @Override
        public List<EventFact> events(String name) {
            return events.getOrDefault(name, List.of());
        }
    }
}
