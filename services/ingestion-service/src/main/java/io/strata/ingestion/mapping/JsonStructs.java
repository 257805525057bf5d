package io.strata.ingestion.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.strata.ingestion.domain.InvalidEventException;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON objects as protobuf Structs, straight from Jackson's tree. (protobuf's JsonFormat would
 * print the tree and parse it again through Gson: the hottest path of ingestion did that twice
 * per event.) Same rules as protobuf's: numbers are doubles, nesting is limited.
 */
public final class JsonStructs {

    /** protobuf's own default recursion limit. */
    static final int MAX_DEPTH = 100;

    private JsonStructs() {}

    /** @throws InvalidEventException naming {@code field} for NUL characters, non-finite numbers or deep nesting */
    public static Struct toStruct(String field, JsonNode object) {
        return struct(field, object, 1);
    }

    private static Struct struct(String field, JsonNode object, int depth) {
        if (depth > MAX_DEPTH) {
            throw new InvalidEventException(field, field + " is nested deeper than " + MAX_DEPTH + " levels");
        }
        Struct.Builder struct = Struct.newBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            struct.putFields(text(field, entry.getKey()), value(field, entry.getValue(), depth));
        }
        return struct.build();
    }

    private static Value value(String field, JsonNode node, int depth) {
        return switch (node.getNodeType()) {
            case NULL, MISSING ->
                Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
            case BOOLEAN -> Value.newBuilder().setBoolValue(node.booleanValue()).build();
            case NUMBER -> {
                double number = node.doubleValue();
                if (!Double.isFinite(number)) {
                    throw new InvalidEventException(field, field + " holds a number out of range");
                }
                yield Value.newBuilder().setNumberValue(number).build();
            }
            case STRING ->
                Value.newBuilder().setStringValue(text(field, node.textValue())).build();
            case ARRAY -> {
                if (depth + 1 > MAX_DEPTH) {
                    throw new InvalidEventException(field, field + " is nested deeper than " + MAX_DEPTH + " levels");
                }
                ListValue.Builder list = ListValue.newBuilder();
                for (JsonNode item : node) {
                    list.addValues(value(field, item, depth + 1));
                }
                yield Value.newBuilder().setListValue(list).build();
            }
            case OBJECT ->
                Value.newBuilder()
                        .setStructValue(struct(field, node, depth + 1))
                        .build();
            default -> throw new InvalidEventException(field, field + " holds a value JSON cannot carry");
        };
    }

    /** PostgreSQL text and jsonb cannot hold NUL: refuse it here rather than downstream. */
    private static String text(String field, String value) {
        if (value.indexOf('\u0000') >= 0) {
            throw new InvalidEventException(field, field + " contains a NUL character");
        }
        return value;
    }
}
