package io.strata.segmentation.mapping;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.EventStats;
import io.strata.proto.profile.v1.FacetStats;
import io.strata.proto.profile.v1.OrderStats;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.profile.v1.ProfileSnapshot;
import io.strata.proto.profile.v1.ProfileUnmerged;
import io.strata.proto.profile.v1.ProfileUpdated;
import io.strata.proto.profile.v1.TagValue;
import io.strata.segmentation.engine.Audiences;
import io.strata.segmentation.engine.EventStore;
import io.strata.segmentation.engine.ProfileTable;
import io.strata.segmentation.rules.FieldCatalog;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.service.TenantShard;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Applies the profile change feed to a {@link TenantShard}'s table (never to its audiences): which
 * profiles the engine must then evaluate, on which inputs, and which it must forget. The fields
 * written are those of {@link FieldCatalog}; the rolling windows ({@code events.<name>.last_N_days},
 * calendar days of the zone ending today) are counted from the events kept.
 */
public final class FeedApplier {

    private static final String LIFECYCLE_STAGE = "lifecycle_stage";

    /**
     * Since when the profile holds its lifecycle stage (the tag's set_at: a model value set again
     * unchanged keeps it), which the lifecycle model reads for how long "recalled" lasts; no rule
     * field.
     */
    public static final String LIFECYCLE_SINCE = "model.lifecycle_since";

    /** The rolling windows, in days. */
    public static final int[] WINDOWS = {7, 30, 90, 365};

    /** A trait's type, fixed by the first value the tenant's feed had for it. */
    public interface TraitTypes {
        FieldType typeOf(String tenant, String trait, Value first);
    }

    /** What the engine does next: evaluate profiles (inputs null: every input), forget others. */
    public record Effects(Map<Integer, Set<String>> evaluate, List<Forget> forget) {
        static Effects none() {
            return new Effects(Map.of(), List.of());
        }
    }

    /** A profile leaves every audience and is forgotten. */
    public record Forget(int ordinal, String profileId, long version, boolean merged) {}

    private final TraitTypes traits;
    private final Clock clock;

    /** @param clock its zone is the tenant's: the rolling windows count its calendar days */
    public FeedApplier(TraitTypes traits, Clock clock) {
        this.traits = traits;
        this.clock = clock;
    }

    /** A change of the feed; a record at or below the version held changes nothing. */
    public Effects change(TenantShard shard, ProfileChange change) {
        String id = change.getProfileId();
        if (change.getVersion() <= shard.version(id)) {
            return Effects.none();
        }
        ProfileTable table = shard.table();
        return switch (change.getChangeCase()) {
            case UPDATED -> {
                boolean fresh = table.find(id).isEmpty();
                int ordinal = table.ordinal(id);
                shard.restored(id);
                Set<String> inputs = updated(shard, ordinal, change.getUpdated());
                shard.setVersion(ordinal, change.getVersion());
                // a new profile is evaluated everywhere: "missing" and "not" hold before any input
                yield new Effects(fresh ? everything(ordinal) : Map.of(ordinal, inputs), List.of());
            }
            case SNAPSHOT -> {
                int ordinal = table.ordinal(id);
                shard.restored(id);
                replace(shard, ordinal, change.getSnapshot());
                shard.setVersion(ordinal, change.getVersion());
                yield new Effects(everything(ordinal), List.of());
            }
            case UNMERGED -> unmerged(shard, change);
            case MERGED -> {
                var ordinal = table.find(id);
                if (ordinal.isEmpty()) {
                    // merged away before anything of it came: its late events must not make it anew
                    shard.gone(id, change.getVersion());
                    yield Effects.none();
                }
                // the events move to the profile merged into when this partition holds it; one held by
                // another partition (the merge is announced under the source's key) is not made here
                // as a copy without its own records
                var held = table.find(change.getMerged().getIntoProfileId());
                if (held.isEmpty()) {
                    yield new Effects(Map.of(), List.of(new Forget(ordinal.getAsInt(), id, change.getVersion(), true)));
                }
                int into = held.getAsInt();
                Set<String> moved = new HashSet<>();
                for (EventStore.StoredEvent event : table.events().all(ordinal.getAsInt())) {
                    if (table.addEvent(into, event.identity(), event.name(), event.at(), event.properties())) {
                        moved.add(event.name());
                    }
                }
                Map<Integer, Set<String>> evaluate = new LinkedHashMap<>();
                if (!moved.isEmpty()) {
                    evaluate.put(into, windows(table, into, moved));
                }
                yield new Effects(evaluate, List.of(new Forget(ordinal.getAsInt(), id, change.getVersion(), true)));
            }
            case DELETED -> {
                var ordinal = table.find(id);
                if (ordinal.isEmpty()) {
                    shard.gone(id, change.getVersion());
                }
                yield ordinal.isEmpty()
                        ? Effects.none()
                        : new Effects(
                                Map.of(), List.of(new Forget(ordinal.getAsInt(), id, change.getVersion(), false)));
            }
            case CHANGE_NOT_SET -> Effects.none();
        };
    }

    /** An event applied to a profile: kept (once), its windows counted anew. */
    public Effects event(TenantShard shard, ProfileEvent record) {
        String id = record.getProfileId();
        ProfileTable table = shard.table();
        if (table.find(id).isEmpty() && shard.version(id) > 0) {
            return Effects.none(); // a forgotten profile's late event
        }
        Event event = record.getEvent();
        Instant at = instant(event.hasTimestamp() ? event.getTimestamp() : record.getAppliedAt());
        String name = eventName(event);
        boolean fresh = table.find(id).isEmpty();
        int ordinal = table.ordinal(id);
        boolean added = table.addEvent(
                ordinal,
                identity(event.getSourceId(), event.getMessageId()),
                name,
                at,
                properties(event.getProperties()));
        if (!added) {
            return Effects.none();
        }
        Set<String> inputs = windows(table, ordinal, Set.of(name));
        return new Effects(fresh ? everything(ordinal) : Map.of(ordinal, inputs), List.of());
    }

    /** The rolling windows of every event name a profile has, counted for today. */
    public Set<String> roll(ProfileTable table, int ordinal) {
        Set<String> names = new LinkedHashSet<>();
        for (EventStore.StoredEvent event : table.events().all(ordinal)) {
            names.add(event.name());
        }
        return windows(table, ordinal, names);
    }

    /** "Order Completed" for a track call, "page", "identify"... for the others (as profile-service names them). */
    public static String eventName(Event event) {
        if (event.getType() == EventType.EVENT_TYPE_TRACK) {
            return event.getEvent();
        }
        return event.getType().name().substring("EVENT_TYPE_".length()).toLowerCase(Locale.ROOT);
    }

    /** An event's identity in the store: a hash of its source and message id. */
    public static long identity(String sourceId, String messageId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((sourceId + '\u0000' + messageId).getBytes(StandardCharsets.UTF_8));
            long out = 0;
            for (int i = 0; i < 8; i++) {
                out = (out << 8) | (digest[i] & 0xff);
            }
            return out;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Set<String> updated(TenantShard shard, int ordinal, ProfileUpdated updated) {
        ProfileTable table = shard.table();
        Set<String> inputs = new LinkedHashSet<>();
        String tenant = shard.tenant();
        updated.getTraitsMap().forEach((name, value) -> {
            FieldType type = traits.typeOf(tenant, name, value);
            String field = "traits." + name;
            table.set(ordinal, field, type, value(type, value));
            inputs.add(field);
        });
        updated.getEventsMap().forEach((name, stats) -> inputs.addAll(eventStats(table, ordinal, name, stats)));
        if (updated.hasOrders()) {
            inputs.addAll(orders(table, ordinal, updated.getOrders()));
        }
        for (FacetStats facet : updated.getFacetsList()) {
            String field = "facets." + facet.getDimension();
            if (!FieldCatalog.FACETS.contains(facet.getDimension())) {
                continue;
            }
            Set<String> values = new LinkedHashSet<>();
            if (table.facts(ordinal).value(field) instanceof Set<?> held) {
                held.forEach(v -> values.add((String) v));
            }
            if (facet.getCount() > 0) {
                values.add(facet.getValue());
            } else {
                values.remove(facet.getValue());
            }
            table.set(ordinal, field, FieldType.STRINGS, values);
            inputs.add(field);
        }
        if (updated.hasFirstSeen()) {
            table.set(ordinal, "profile.first_seen", FieldType.DATE, instant(updated.getFirstSeen()));
            inputs.add("profile.first_seen");
        }
        if (updated.hasLastSeen()) {
            table.set(ordinal, "profile.last_seen", FieldType.DATE, instant(updated.getLastSeen()));
            inputs.add("profile.last_seen");
        }
        updated.getTagsMap().forEach((key, value) -> {
            table.set(ordinal, "tags." + key, FieldType.STRING, tag(value));
            inputs.add("tags." + key);
            if (key.equals(LIFECYCLE_STAGE)) {
                table.set(
                        ordinal, LIFECYCLE_SINCE, FieldType.DATE, value.hasSetAt() ? instant(value.getSetAt()) : null);
            }
        });
        for (String key : updated.getTagsRemovedList()) {
            table.set(ordinal, "tags." + key, FieldType.STRING, null);
            inputs.add("tags." + key);
            if (key.equals(LIFECYCLE_STAGE)) {
                table.set(ordinal, LIFECYCLE_SINCE, FieldType.DATE, null);
            }
        }
        return inputs;
    }

    /** Replaces everything held of a profile with a snapshot of it. */
    private void replace(TenantShard shard, int ordinal, ProfileSnapshot snapshot) {
        ProfileTable table = shard.table();
        table.clearFields(ordinal);
        ProfileUpdated.Builder whole = ProfileUpdated.newBuilder()
                .putAllTraits(snapshot.getTraitsMap())
                .putAllEvents(snapshot.getBehaviour().getEventsMap())
                .addAllFacets(snapshot.getBehaviour().getFacetsList())
                .putAllTags(snapshot.getTagsMap());
        if (snapshot.getBehaviour().hasOrders()) {
            whole.setOrders(snapshot.getBehaviour().getOrders());
        }
        if (snapshot.hasFirstSeen()) {
            whole.setFirstSeen(snapshot.getFirstSeen());
        }
        if (snapshot.hasLastSeen()) {
            whole.setLastSeen(snapshot.getLastSeen());
        }
        updated(shard, ordinal, whole.build());
        roll(table, ordinal);
    }

    private Effects unmerged(TenantShard shard, ProfileChange change) {
        ProfileTable table = shard.table();
        ProfileUnmerged unmerged = change.getUnmerged();
        int ordinal = table.ordinal(change.getProfileId());
        shard.restored(change.getProfileId());
        Map<Integer, Set<String>> evaluate = new LinkedHashMap<>();
        if (unmerged.getRestored()) {
            var other = table.find(unmerged.getOtherProfileId());
            if (other.isPresent() && unmerged.getMovedEventsCount() > 0) {
                Set<Long> moving = new HashSet<>();
                unmerged.getMovedEventsList().forEach(r -> moving.add(identity(r.getSourceId(), r.getMessageId())));
                Set<String> names = new HashSet<>();
                for (EventStore.StoredEvent event : table.events().take(other.getAsInt(), moving)) {
                    table.addEvent(ordinal, event.identity(), event.name(), event.at(), event.properties());
                    names.add(event.name());
                }
                evaluate.put(other.getAsInt(), windows(table, other.getAsInt(), names));
            }
        }
        replace(shard, ordinal, unmerged.getProfile());
        shard.setVersion(ordinal, change.getVersion());
        evaluate.put(ordinal, null);
        return new Effects(evaluate, List.of());
    }

    private static Map<Integer, Set<String>> everything(int ordinal) {
        Map<Integer, Set<String>> out = new LinkedHashMap<>();
        out.put(ordinal, null);
        return out;
    }

    private static Set<String> eventStats(ProfileTable table, int ordinal, String name, EventStats stats) {
        String prefix = "events." + name + ".";
        table.set(ordinal, prefix + "count", FieldType.NUMBER, (double) stats.getCount());
        table.set(
                ordinal, prefix + "first_at", FieldType.DATE, stats.hasFirstAt() ? instant(stats.getFirstAt()) : null);
        table.set(ordinal, prefix + "last_at", FieldType.DATE, stats.hasLastAt() ? instant(stats.getLastAt()) : null);
        return Set.of(prefix + "count", prefix + "first_at", prefix + "last_at");
    }

    private static Set<String> orders(ProfileTable table, int ordinal, OrderStats orders) {
        table.set(ordinal, "orders.count", FieldType.NUMBER, (double) orders.getOrders());
        table.set(ordinal, "orders.revenue", FieldType.NUMBER, orders.getRevenue());
        table.set(ordinal, "orders.average_order_value", FieldType.NUMBER, orders.getAverageOrderValue());
        table.set(ordinal, "orders.purchase_days", FieldType.NUMBER, (double) orders.getPurchaseDays());
        table.set(
                ordinal,
                "orders.first_order_at",
                FieldType.DATE,
                orders.hasFirstOrderAt() ? instant(orders.getFirstOrderAt()) : null);
        table.set(
                ordinal,
                "orders.last_order_at",
                FieldType.DATE,
                orders.hasLastOrderAt() ? instant(orders.getLastOrderAt()) : null);
        return Set.of(
                "orders.count",
                "orders.revenue",
                "orders.average_order_value",
                "orders.purchase_days",
                "orders.first_order_at",
                "orders.last_order_at");
    }

    /** Counts the rolling windows of some event names anew; the inputs they are. */
    private Set<String> windows(ProfileTable table, int ordinal, Set<String> names) {
        Set<String> inputs = new LinkedHashSet<>();
        ZoneId zone = clock.getZone();
        long today = LocalDate.now(clock).toEpochDay();
        for (String name : names) {
            long[] counts = new long[WINDOWS.length];
            for (var event : table.events().events(ordinal, name)) {
                long age = today - LocalDate.ofInstant(event.at(), zone).toEpochDay();
                for (int i = 0; i < WINDOWS.length; i++) {
                    if (age >= 0 && age < WINDOWS[i]) {
                        counts[i]++;
                    }
                }
            }
            for (int i = 0; i < WINDOWS.length; i++) {
                String field = "events." + name + ".last_" + WINDOWS[i] + "_days";
                table.set(ordinal, field, FieldType.NUMBER, (double) counts[i]);
                inputs.add(field);
            }
            inputs.add(Audiences.eventInput(name));
        }
        return inputs;
    }

    /** The type a trait's first value gives it: a number, a boolean, a date (ISO day or instant), else text. */
    public static FieldType typeOf(Value value) {
        return switch (value.getKindCase()) {
            case NUMBER_VALUE -> FieldType.NUMBER;
            case BOOL_VALUE -> FieldType.BOOLEAN;
            case STRING_VALUE -> date(value.getStringValue()) != null ? FieldType.DATE : FieldType.STRING;
            default -> FieldType.STRING;
        };
    }

    /** A trait's value as its field keeps it (one of another type is passed as is: it meets no comparison). */
    static Object value(FieldType type, Value value) {
        return switch (value.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> null;
            case NUMBER_VALUE -> type == FieldType.STRING ? text(value.getNumberValue()) : value.getNumberValue();
            case BOOL_VALUE -> type == FieldType.STRING ? String.valueOf(value.getBoolValue()) : value.getBoolValue();
            case STRING_VALUE -> {
                if (type == FieldType.DATE) {
                    Object date = date(value.getStringValue());
                    yield date != null ? date : value.getStringValue();
                }
                yield value.getStringValue();
            }
            case LIST_VALUE, STRUCT_VALUE -> json(value);
        };
    }

    /** An ISO day or instant; null when the text is neither. */
    static Object date(String text) {
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text);
            }
            if (text.length() >= 20 && text.charAt(4) == '-' && text.charAt(10) == 'T') {
                return OffsetDateTime.parse(text).toInstant();
            }
        } catch (DateTimeParseException e) {
            return null;
        }
        return null;
    }

    private static String tag(TagValue value) {
        return switch (value.getValueCase()) {
            case BOOL_VALUE -> String.valueOf(value.getBoolValue());
            case ENUM_VALUE -> value.getEnumValue();
            case NUMBER_VALUE -> text(value.getNumberValue());
            case DATE_VALUE -> value.getDateValue();
            case VALUE_NOT_SET -> null;
        };
    }

    /** A number as text: 5 rather than 5.0. */
    public static String text(double number) {
        return number == Math.rint(number) && Math.abs(number) < 1e15
                ? String.valueOf((long) number)
                : String.valueOf(number);
    }

    private static Map<String, Object> properties(Struct struct) {
        Map<String, Object> out = new LinkedHashMap<>();
        struct.getFieldsMap().forEach((key, value) -> {
            Object v = switch (value.getKindCase()) {
                case NUMBER_VALUE -> value.getNumberValue();
                case BOOL_VALUE -> value.getBoolValue();
                case STRING_VALUE -> value.getStringValue();
                case LIST_VALUE, STRUCT_VALUE -> json(value);
                default -> null;
            };
            if (v != null) {
                out.put(key, v);
            }
        });
        return out;
    }

    private static String json(Value value) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(value);
        } catch (InvalidProtocolBufferException e) {
            return value.toString();
        }
    }

    static Instant instant(Timestamp at) {
        return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
    }
}
