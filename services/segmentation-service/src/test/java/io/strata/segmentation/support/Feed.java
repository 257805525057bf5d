package io.strata.segmentation.support;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileDeleted;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.profile.v1.ProfileMerged;
import io.strata.proto.profile.v1.ProfileUpdated;
import io.strata.testing.LocalStack;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes change feed records as profile-service would, with a version per profile. */
public final class Feed implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String tenant;
    private final Map<String, Long> versions = new HashMap<>();

    public Feed(String tenant) {
        this.tenant = tenant;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private long next(String profileId) {
        return versions.merge(profileId, 1L, Long::sum);
    }

    /** A ProfileUpdated with these traits (a value of null removes the trait). */
    public void traits(String profileId, Object... nameValue) {
        ProfileUpdated.Builder updated = ProfileUpdated.newBuilder();
        for (int i = 0; i < nameValue.length; i += 2) {
            updated.putTraits((String) nameValue[i], value(nameValue[i + 1]));
        }
        change(profileId, ProfileChange.newBuilder().setUpdated(updated));
    }

    /**
     * A ProfileUpdated setting model tags as profile-service would (a value of null removes the tag):
     * "true" as a boolean, a number as a number, any other text as an enum value.
     */
    public void tags(String profileId, Map<String, String> tags, Instant setAt) {
        ProfileUpdated.Builder updated = ProfileUpdated.newBuilder();
        tags.forEach((key, text) -> {
            if (text == null) {
                updated.addTagsRemoved(key);
                return;
            }
            io.strata.proto.profile.v1.TagValue.Builder value = io.strata.proto.profile.v1.TagValue.newBuilder()
                    .setSource("model:strata-segmentation-service")
                    .setSetAt(timestamp(setAt));
            if (text.equals("true")) {
                value.setBoolValue(true);
            } else if (text.matches("-?[0-9.]+")) {
                value.setNumberValue(Double.parseDouble(text));
            } else {
                value.setEnumValue(text);
            }
            updated.putTags(key, value.build());
        });
        change(profileId, ProfileChange.newBuilder().setUpdated(updated));
    }

    public void deleted(String profileId) {
        change(
                profileId,
                ProfileChange.newBuilder()
                        .setDeleted(ProfileDeleted.newBuilder().setRequestId("d-1")));
    }

    public void merged(String profileId, String into) {
        change(
                profileId,
                ProfileChange.newBuilder().setMerged(ProfileMerged.newBuilder().setIntoProfileId(into)));
    }

    /** Sends again, unchanged, a record already sent (a redelivery). */
    public void again(ProfileChange change) {
        send(FeedTopics.CHANGES, change.getProfileId(), change.toByteArray());
    }

    /** The last change written, for {@link #again}. */
    public ProfileChange last() {
        return last;
    }

    private ProfileChange last;

    private void change(String profileId, ProfileChange.Builder change) {
        long version = next(profileId);
        last = change.setTenant(tenant)
                .setProfileId(profileId)
                .setChangeId(profileId + "/" + version)
                .setVersion(version)
                .setChangedAt(timestamp(Instant.now()))
                .build();
        send(FeedTopics.CHANGES, profileId, last.toByteArray());
    }

    /** A track event of the profile, at that time, with properties. */
    public Event event(String profileId, String name, Instant at, Object... nameValue) {
        Struct.Builder properties = Struct.newBuilder();
        for (int i = 0; i < nameValue.length; i += 2) {
            properties.putFields((String) nameValue[i], value(nameValue[i + 1]));
        }
        Event event = Event.newBuilder()
                .setTenant(tenant)
                .setSourceId("test")
                .setMessageId(UUID.randomUUID().toString())
                .setType(EventType.EVENT_TYPE_TRACK)
                .setEvent(name)
                .setProperties(properties)
                .setTimestamp(timestamp(at))
                .build();
        ProfileEvent record = ProfileEvent.newBuilder()
                .setTenant(tenant)
                .setProfileId(profileId)
                .setEvent(event)
                .setAppliedAt(timestamp(Instant.now()))
                .build();
        send(FeedTopics.EVENTS, profileId, record.toByteArray());
        return event;
    }

    /** An event of a profile merged into another, announced again under that one (as profile-service does). */
    public void moved(Event event, String mergedFrom, String into) {
        ProfileEvent record = ProfileEvent.newBuilder()
                .setTenant(tenant)
                .setProfileId(into)
                .setEvent(event)
                .setAppliedAt(timestamp(Instant.now()))
                .setMergedFromProfileId(mergedFrom)
                .build();
        send(FeedTopics.EVENTS, into, record.toByteArray());
    }

    /** A record that is no feed record at all. */
    public void garbage(String profileId) {
        send(FeedTopics.CHANGES, profileId, new byte[] {(byte) 0xff, 0x01, 0x02});
    }

    private void send(String topic, String profileId, byte[] payload) {
        try {
            producer.send(new ProducerRecord<>(topic, tenant + "/" + profileId, payload))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Value value(Object value) {
        return switch (value) {
            case null ->
                Value.newBuilder()
                        .setNullValue(com.google.protobuf.NullValue.NULL_VALUE)
                        .build();
            case String s -> Value.newBuilder().setStringValue(s).build();
            case Number n -> Value.newBuilder().setNumberValue(n.doubleValue()).build();
            case Boolean b -> Value.newBuilder().setBoolValue(b).build();
            default -> throw new IllegalArgumentException(String.valueOf(value));
        };
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }

    @Override
    public void close() {
        producer.close();
    }
}
