package io.strata.insight.feed;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.strata.insight.store.EventStore;
import io.strata.insight.store.EventStore.Row;
import io.strata.platform.kafka.Keys;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.segmentation.v1.SegmentMembership;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the store makes of the profile feed's records. A profile lives on the feed partition of its
 * key ({@code tenant/profileId}); the store of a partition keeps its profiles' events:
 *
 * <ul>
 *   <li>an event announced again after a merge ({@code merged_from_profile_id}) is kept only when
 *       the merged profile lived on another partition: on this one its events are here already,
 *       and the merge makes them the survivor's;
 *   <li>a merge on this partition makes the merged profile's events the survivor's; one into a
 *       profile of another partition takes them out of this store (they arrive there again);
 *   <li>a deletion takes the profile's events out;
 *   <li>an unmerge gives the restored profile the events it lists: on the partition of the profile
 *       it had been merged into, the stored copies become the restored profile's; on the restored
 *       profile's partition, it is back (no longer merged or gone), and where the merge had gone to
 *       another partition its own rows of those events, which the copies there replace, leave.
 * </ul>
 */
public final class FeedMapper {

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private FeedMapper() {}

    /** What a change asks of the store. */
    public sealed interface Action {}

    public record Alias(String tenant, String merged, String survivor) implements Action {}

    public record Forget(String tenant, String profileId) implements Action {}

    /**
     * An unmerge, on the restored profile's partition: {@code restored} is back; with {@code
     * dropHere} (the merge had gone to another partition) its rows of the {@code moved} events on
     * this partition leave, the copies on the other one being theirs now.
     */
    public record Restore(String tenant, String restored, List<EventStore.EventId> moved, boolean dropHere)
            implements Action {}

    /** An unmerge, on the partition of the profile {@code from} it was undone from: the {@code moved} events go to {@code to}. */
    public record Reassign(String tenant, String from, String to, List<EventStore.EventId> moved) implements Action {}

    public record Nothing() implements Action {}

    public static ProfileEvent parseEvent(byte[] value) throws InvalidProtocolBufferException {
        ProfileEvent event = ProfileEvent.parseFrom(value);
        if (event.getTenant().isEmpty() || event.getProfileId().isEmpty() || !event.hasEvent()) {
            throw new InvalidProtocolBufferException("a profile event needs tenant, profile_id and event");
        }
        return event;
    }

    public static ProfileChange parseChange(byte[] value) throws InvalidProtocolBufferException {
        ProfileChange change = ProfileChange.parseFrom(value);
        if (change.getTenant().isEmpty() || change.getProfileId().isEmpty()) {
            throw new InvalidProtocolBufferException("a profile change needs tenant and profile_id");
        }
        return change;
    }

    /** The record's event, or null (after telling {@code reject} why) when it holds none. */
    public static ProfileEvent parseEventOrNull(ConsumerRecord<String, byte[]> record, Rejects reject) {
        try {
            return parseEvent(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            reject.reject(record, "not a ProfileEvent: " + e.getMessage());
            return null;
        }
    }

    /** The record's change, or null (after telling {@code reject} why) when it holds none. */
    public static ProfileChange parseChangeOrNull(ConsumerRecord<String, byte[]> record, Rejects reject) {
        try {
            return parseChange(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            reject.reject(record, "not a ProfileChange: " + e.getMessage());
            return null;
        }
    }

    /** The record's enter or exit, or null (after telling {@code reject} why) when it holds none. */
    public static EventStore.Membership membershipOrNull(ConsumerRecord<String, byte[]> record, Rejects reject) {
        try {
            SegmentMembership m = SegmentMembership.parseFrom(record.value() == null ? new byte[0] : record.value());
            if (m.getTenant().isEmpty()
                    || m.getProfileId().isEmpty()
                    || m.getSegmentId().isEmpty()) {
                throw new InvalidProtocolBufferException("a membership needs tenant, profile_id and segment_id");
            }
            return new EventStore.Membership(
                    m.getTenant(), m.getSegmentId(), m.getProfileId(), m.getEntered(), instant(m.getChangedAt()));
        } catch (InvalidProtocolBufferException e) {
            reject.reject(record, "not a SegmentMembership: " + e.getMessage());
            return null;
        }
    }

    @FunctionalInterface
    public interface Rejects {
        void reject(ConsumerRecord<String, byte[]> record, String reason);
    }

    /** Whether this partition's store keeps the event. */
    public static boolean keeps(ProfileEvent event, int partition, int partitions) {
        String from = event.getMergedFromProfileId();
        return from.isEmpty() || partitionOf(event.getTenant(), from, partitions) != partition;
    }

    public static Action action(ProfileChange change, int partition, int partitions) {
        return switch (change.getChangeCase()) {
            case MERGED -> {
                String survivor = change.getMerged().getIntoProfileId();
                yield partitionOf(change.getTenant(), survivor, partitions) == partition
                        ? new Alias(change.getTenant(), change.getProfileId(), survivor)
                        : new Forget(change.getTenant(), change.getProfileId());
            }
            case DELETED -> new Forget(change.getTenant(), change.getProfileId());
            case UNMERGED -> {
                var unmerged = change.getUnmerged();
                List<EventStore.EventId> moved = unmerged.getMovedEventsList().stream()
                        .map(ref -> new EventStore.EventId(ref.getSourceId(), ref.getMessageId()))
                        .toList();
                yield unmerged.getRestored()
                        ? new Restore(
                                change.getTenant(),
                                change.getProfileId(),
                                moved,
                                partitionOf(change.getTenant(), unmerged.getOtherProfileId(), partitions) != partition)
                        : new Reassign(change.getTenant(), change.getProfileId(), unmerged.getOtherProfileId(), moved);
            }
            default -> new Nothing();
        };
    }

    /**
     * The row of an applied event: its name as profile-service names it, its time, revenue and order,
     * its properties, the device type ({@code context.device.type}) and campaign source
     * ({@code context.campaign.source}, the utm_source) of its context, and an identify's traits.
     */
    public static Row row(ProfileEvent profileEvent) {
        Event event = profileEvent.getEvent();
        Struct properties = event.getProperties();
        Struct context = event.getContext();
        return new Row(
                profileEvent.getTenant(),
                profileEvent.getProfileId(),
                event.getSourceId(),
                event.getMessageId(),
                name(event),
                instant(event.hasTimestamp() ? event.getTimestamp() : profileEvent.getAppliedAt()),
                revenue(properties),
                text(properties, "order_id"),
                event.hasProperties() ? json(properties) : null,
                text(struct(context, "device"), "type"),
                text(struct(context, "campaign"), "source"),
                event.getTraits().getFieldsCount() > 0 ? json(event.getTraits()) : null);
    }

    private static Struct struct(Struct parent, String field) {
        Value value = parent.getFieldsOrDefault(field, null);
        return value != null && value.hasStructValue() ? value.getStructValue() : Struct.getDefaultInstance();
    }

    /** "Order Completed" for a track call, "page", "identify"... for the others. */
    static String name(Event event) {
        if (event.getType() == EventType.EVENT_TYPE_TRACK) {
            return event.getEvent();
        }
        return event.getType().name().substring("EVENT_TYPE_".length()).toLowerCase(Locale.ROOT);
    }

    /** {@code revenue}, else {@code total}, when a number (or a number as text). */
    static Double revenue(Struct properties) {
        for (String field : new String[] {"revenue", "total"}) {
            Value value = properties.getFieldsOrDefault(field, null);
            if (value == null) {
                continue;
            }
            if (value.hasNumberValue()) {
                return value.getNumberValue();
            }
            if (value.hasStringValue()) {
                try {
                    return Double.parseDouble(value.getStringValue().trim());
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static String text(Struct properties, String field) {
        Value value = properties.getFieldsOrDefault(field, null);
        if (value == null) {
            return null;
        }
        if (value.hasStringValue()) {
            return value.getStringValue();
        }
        if (value.hasNumberValue()) {
            double n = value.getNumberValue();
            return n == Math.rint(n) ? String.valueOf((long) n) : String.valueOf(n);
        }
        return null;
    }

    private static String json(Struct struct) {
        try {
            return JSON.print(struct);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    static int partitionOf(String tenant, String profileId, int partitions) {
        return Keys.partition(Keys.profile(tenant, profileId), partitions);
    }
}
