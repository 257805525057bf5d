package io.strata.segmentation.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Strings to dense codes and back (values of a categorical field, event names, property keys). */
final class Dictionary {

    private final Map<String, Integer> codes = new HashMap<>();
    private final List<String> values = new ArrayList<>();

    /** The value's code, given one if it has none yet. */
    int code(String value) {
        Integer code = codes.get(value);
        if (code == null) {
            code = values.size();
            codes.put(value, code);
            values.add(value);
        }
        return code;
    }

    /** The value's code, or -1 when it was never seen. */
    int find(String value) {
        Integer code = codes.get(value);
        return code == null ? -1 : code;
    }

    String value(int code) {
        return values.get(code);
    }

    int size() {
        return values.size();
    }
}
