package io.strata.segmentation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProfileIdsTest {

    @Test
    void findsEveryIdItWasGivenAndNoneItForgot() {
        Random random = new Random(3);
        ProfileIds ids = new ProfileIds();
        Map<String, Integer> model = new HashMap<>();
        List<String> given = new ArrayList<>();
        int next = 0;
        for (int round = 0; round < 200_000; round++) {
            int action = random.nextInt(10);
            if (action < 7 || given.isEmpty()) {
                // canonical UUIDs mostly; upper case, braces and free text go to the map
                String id = switch (random.nextInt(5)) {
                    case 0 -> UUID.randomUUID().toString().toUpperCase();
                    case 1 -> "user-" + random.nextInt(1_000_000);
                    default -> UUID.randomUUID().toString();
                };
                if (!model.containsKey(id)) {
                    assertEquals(-1, ids.find(id));
                    ids.put(id, next);
                    model.put(id, next);
                    given.add(id);
                    next++;
                }
            } else if (action < 9) {
                String id = given.get(random.nextInt(given.size()));
                Integer ordinal = model.get(id);
                assertEquals(ordinal == null ? -1 : ordinal, ids.find(id), id);
                if (ordinal != null) {
                    assertEquals(id, ids.id(ordinal));
                }
            } else {
                String id = given.get(random.nextInt(given.size()));
                Integer ordinal = model.remove(id);
                if (ordinal != null) {
                    ids.remove(id, ordinal);
                    assertEquals(-1, ids.find(id));
                }
            }
        }
        for (Map.Entry<String, Integer> e : model.entrySet()) {
            assertEquals(e.getValue(), ids.find(e.getKey()));
            assertEquals(e.getKey(), ids.id(e.getValue()));
        }
    }

    @Test
    void onlyLowerCaseCanonicalUuidsAreHeldAsNumbers() {
        String id = "0f8fad5b-d9cb-469f-a165-70867728950e";
        long[] parsed = ProfileIds.parse(id);
        assertEquals(UUID.fromString(id), new UUID(parsed[0], parsed[1]));
        assertNull(ProfileIds.parse(id.toUpperCase()));
        assertNull(ProfileIds.parse(id.replace('-', '_')));
        assertNull(ProfileIds.parse(id + "0"));
        assertNull(ProfileIds.parse("0f8fad5b-d9cb-469f-a165-70867728950g"));
    }
}
