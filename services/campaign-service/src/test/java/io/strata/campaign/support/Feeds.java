package io.strata.campaign.support;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.strata.platform.kafka.Keys;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.Consent;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileDeleted;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.profile.v1.ProfileUpdated;
import io.strata.proto.segmentation.v1.SegmentMembership;
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

/** Writes the feeds' records as profile-service and segmentation-service would. */
public final class Feeds implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String tenant;
    private final Map<String, Long> versions = new HashMap<>();

    public Feeds(String tenant) {
        this.tenant = tenant;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** A new profile with a phone number and marketing SMS consent for every sender. */
    public void reachableBySms(String profileId, String phone) {
        var updated = ProfileUpdated.newBuilder()
                .setCreated(true)
                .putTraits("timezone", Value.newBuilder().setStringValue("UTC").build())
                .addIdentitiesAdded(Identity.newBuilder()
                        .setType(IdentityType.IDENTITY_TYPE_PHONE)
                        .setValue(phone))
                .addConsents(consent("sms", true));
        change(profileId, ProfileChange.newBuilder().setUpdated(updated));
    }

    public void consent(String profileId, String channel, boolean granted) {
        change(
                profileId,
                ProfileChange.newBuilder()
                        .setUpdated(ProfileUpdated.newBuilder().addConsents(consent(channel, granted))));
    }

    public void deleted(String profileId) {
        change(
                profileId,
                ProfileChange.newBuilder()
                        .setDeleted(ProfileDeleted.newBuilder().setRequestId("d-" + profileId)));
    }

    public void entered(String profileId, String segment, boolean entered) {
        var m = SegmentMembership.newBuilder()
                .setTenant(tenant)
                .setProfileId(profileId)
                .setSegmentId(segment)
                .setEntered(entered)
                .setChangedAt(ts(Instant.now()))
                .setChangeId(UUID.randomUUID().toString())
                .build();
        send(CampaignTopics.MEMBERSHIP, profileId, m.toByteArray());
    }

    public void track(String profileId, String event, Map<String, String> properties) {
        var props = Struct.newBuilder();
        properties.forEach((k, v) ->
                props.putFields(k, Value.newBuilder().setStringValue(v).build()));
        var e = Event.newBuilder()
                .setTenant(tenant)
                .setSourceId("test")
                .setType(EventType.EVENT_TYPE_TRACK)
                .setMessageId(UUID.randomUUID().toString())
                .setUserId(profileId)
                .setEvent(event)
                .setProperties(props)
                .setTimestamp(ts(Instant.now()));
        var pe = ProfileEvent.newBuilder()
                .setTenant(tenant)
                .setProfileId(profileId)
                .setEvent(e)
                .setAppliedAt(ts(Instant.now()))
                .build();
        send(CampaignTopics.EVENTS, profileId, pe.toByteArray());
    }

    /** A record no one can read. */
    public void garbage(String profileId) {
        send(CampaignTopics.CHANGES, profileId, new byte[] {(byte) 0xff, 0x01, 0x02});
    }

    private void change(String profileId, ProfileChange.Builder change) {
        long version = versions.merge(profileId, 1L, Long::sum);
        var c = change.setTenant(tenant)
                .setProfileId(profileId)
                .setVersion(version)
                .setChangeId(profileId + "/" + version)
                .setChangedAt(ts(Instant.now()))
                .build();
        send(CampaignTopics.CHANGES, profileId, c.toByteArray());
    }

    private void send(String topic, String profileId, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, Keys.profile(tenant, profileId), value))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Consent consent(String channel, boolean granted) {
        return Consent.newBuilder()
                .setChannel(channel)
                .setPurpose("marketing")
                .setSender("")
                .setGranted(granted)
                .setSource("test")
                .setAt(ts(Instant.now()))
                .build();
    }

    private static Timestamp ts(Instant at) {
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
