package io.strata.profile.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A tenant's identity rules: which identifier decides first ({@link #rank}), how many identifiers of
 * a type one profile may hold ({@link #limit}), and values that never identify anyone
 * ({@link #blocked}). The default is what every tenant had before rules were configurable: the fixed
 * priority of {@link IdentityType}, one user id per profile, no other limit, nothing blocked.
 *
 * <p>Written and read as JSON:
 * <pre>{"priority": ["USER_ID", "MEMBER_ID", "PHONE", ...],
 *  "limits": {"USER_ID": 1, "DEVICE_ID": 5, "PHONE": 3},
 *  "blocked": [{"type": "PHONE", "value": "13900000000"}]}</pre>
 * A priority lists some or all types; the types it leaves out follow in their default order.
 */
public final class IdentityRules {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** At most this many blocked values per tenant: the list is kept in memory on every replica. */
    public static final int MAX_BLOCKED = 10_000;

    public static final int MAX_LIMIT = 1_000;

    public static final IdentityRules DEFAULT =
            new IdentityRules(List.of(IdentityType.values()), Map.of(IdentityType.USER_ID, 1), Set.of());

    private final List<IdentityType> priority;
    private final int[] ranks = new int[IdentityType.values().length];
    private final int[] limits = new int[IdentityType.values().length];
    private final Map<IdentityType, Integer> limitMap;
    private final Set<IdentityKey> blocked;

    public IdentityRules(List<IdentityType> priority, Map<IdentityType, Integer> limits, Set<IdentityKey> blocked) {
        LinkedHashSet<IdentityType> order = new LinkedHashSet<>(priority);
        Collections.addAll(order, IdentityType.values());
        this.priority = List.copyOf(order);
        for (int i = 0; i < this.priority.size(); i++) {
            ranks[this.priority.get(i).ordinal()] = i;
        }
        java.util.Arrays.fill(this.limits, Integer.MAX_VALUE);
        limits.forEach((type, n) -> this.limits[type.ordinal()] = n);
        this.limitMap = Collections.unmodifiableMap(new EnumMap<>(limits.isEmpty() ? Map.of() : limits));
        this.blocked = Set.copyOf(blocked);
    }

    /** The type's place in the priority: 0 decides first. */
    public int rank(IdentityType type) {
        return ranks[type.ordinal()];
    }

    /** How many identifiers of the type one profile may hold ({@link Integer#MAX_VALUE}: no limit). */
    public int limit(IdentityType type) {
        return limits[type.ordinal()];
    }

    public boolean isBlocked(IdentityKey identity) {
        return !blocked.isEmpty() && blocked.contains(identity);
    }

    public boolean hasBlocked() {
        return !blocked.isEmpty();
    }

    public List<IdentityType> priority() {
        return priority;
    }

    public Map<IdentityType, Integer> limits() {
        return limitMap;
    }

    public Set<IdentityKey> blocked() {
        return blocked;
    }

    /** The rules as JSON (the form {@link #parse} reads). */
    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode order = node.putArray("priority");
        priority.forEach(t -> order.add(t.name()));
        ObjectNode limitNode = node.putObject("limits");
        for (IdentityType type : IdentityType.values()) {
            if (limit(type) != Integer.MAX_VALUE) {
                limitNode.put(type.name(), limit(type));
            } else if (type == IdentityType.USER_ID) {
                // limited by default: no limit is said
                limitNode.putNull(type.name());
            }
        }
        ArrayNode blockedNode = node.putArray("blocked");
        blocked.stream()
                .sorted(java.util.Comparator.comparing(IdentityKey::type).thenComparing(IdentityKey::value))
                .forEach(b ->
                        blockedNode.addObject().put("type", b.type().name()).put("value", b.value()));
        return node;
    }

    /**
     * Reads and checks rules; blocked values are normalised as identifiers are.
     *
     * @throws InvalidRulesException naming the field at fault
     */
    public static IdentityRules parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidRulesException("rules", "must be a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!Set.of("priority", "limits", "blocked").contains(name)) {
                throw new InvalidRulesException(name, "is not a rule (priority, limits, blocked)");
            }
        }
        List<IdentityType> priority = new ArrayList<>();
        JsonNode order = node.path("priority");
        if (!order.isMissingNode() && !order.isNull()) {
            if (!order.isArray()) {
                throw new InvalidRulesException("priority", "must be a list of identifier types");
            }
            for (int i = 0; i < order.size(); i++) {
                IdentityType type = type(order.get(i), "priority[" + i + "]");
                if (priority.contains(type)) {
                    throw new InvalidRulesException("priority[" + i + "]", type + " is listed twice");
                }
                priority.add(type);
            }
        }
        Map<IdentityType, Integer> limits = new EnumMap<>(IdentityType.class);
        limits.put(IdentityType.USER_ID, 1);
        JsonNode limitNode = node.path("limits");
        if (!limitNode.isMissingNode() && !limitNode.isNull()) {
            if (!limitNode.isObject()) {
                throw new InvalidRulesException("limits", "must map identifier types to a number");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = limitNode.fields(); it.hasNext(); ) {
                var entry = it.next();
                String field = "limits." + entry.getKey();
                IdentityType type = type(JSON.getNodeFactory().textNode(entry.getKey()), field);
                JsonNode value = entry.getValue();
                if (value.isNull()) {
                    limits.remove(type);
                    continue;
                }
                if (!value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > MAX_LIMIT) {
                    throw new InvalidRulesException(
                            field, "must be a whole number from 1 to " + MAX_LIMIT + " (null: no limit)");
                }
                limits.put(type, value.asInt());
            }
        }
        Set<IdentityKey> blocked = new LinkedHashSet<>();
        JsonNode blockedNode = node.path("blocked");
        if (!blockedNode.isMissingNode() && !blockedNode.isNull()) {
            if (!blockedNode.isArray()) {
                throw new InvalidRulesException("blocked", "must be a list of {type, value}");
            }
            if (blockedNode.size() > MAX_BLOCKED) {
                throw new InvalidRulesException("blocked", "holds more than " + MAX_BLOCKED + " values");
            }
            for (int i = 0; i < blockedNode.size(); i++) {
                String field = "blocked[" + i + "]";
                JsonNode entry = blockedNode.get(i);
                if (!entry.isObject()) {
                    throw new InvalidRulesException(field, "must be an object {type, value}");
                }
                IdentityType type = type(entry.path("type"), field + ".type");
                JsonNode value = entry.path("value");
                if (!value.isTextual() || value.asText().isBlank()) {
                    throw new InvalidRulesException(field + ".value", "must be a non-empty text");
                }
                // a value the normaliser refuses is never used anyway: blocking it changes nothing
                IdentifierNormalizer.normalize(type, value.asText()).ifPresent(blocked::add);
            }
        }
        return new IdentityRules(priority, limits, blocked);
    }

    private static IdentityType type(JsonNode node, String field) {
        if (node == null || !node.isTextual()) {
            throw new InvalidRulesException(field, "must be an identifier type");
        }
        try {
            return IdentityType.valueOf(node.asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRulesException(
                    field,
                    "unknown identifier type " + node.asText() + " (one of "
                            + java.util.Arrays.toString(IdentityType.values()) + ")");
        }
    }

    /** Rules that cannot be applied; {@link #field()} names the place at fault. */
    public static final class InvalidRulesException extends IllegalArgumentException {
        private final String field;

        public InvalidRulesException(String field, String message) {
            super(field + ": " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
