package io.strata.profile.support;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.testing.LocalStack;
import io.strata.testing.TestTopics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Events as dedup-service forwards them, onto the test events topic, keyed tenant/identity. */
public final class TestEvents implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;

    public TestEvents() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public static String tenant() {
        return "test-" + UUID.randomUUID();
    }

    /** Sends and waits for the broker's acknowledgement. */
    public void send(Event event) throws Exception {
        sendAll(List.of(event));
    }

    /** Sends them all at once, then waits for every acknowledgement. */
    public void sendAll(List<Event> events) throws Exception {
        sendRecords(events.stream().map(e -> Map.entry(key(e), e.toByteArray())).toList());
    }

    /** Any bytes under a key, as a broken producer would write them. */
    public void sendRaw(String key, byte[] value) throws Exception {
        sendRecords(List.of(Map.entry(key, value)));
    }

    /** Keys and values sent at once (so they most likely arrive in one batch), in order. */
    public void sendRecords(List<Map.Entry<String, byte[]>> records) throws Exception {
        List<Future<RecordMetadata>> acks = records.stream()
                .map(r -> producer.send(new ProducerRecord<>(TestTopics.EVENTS, r.getKey(), r.getValue())))
                .toList();
        for (Future<RecordMetadata> ack : acks) {
            ack.get();
        }
    }

    /** One record carrying a W3C trace context, as dedup-service forwards a traced event. */
    public void sendTraced(String key, byte[] value, String traceparent) throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(TestTopics.EVENTS, key, value);
        record.headers().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
        producer.send(record).get();
    }

    public static String key(Event event) {
        return event.getTenant() + "/" + (event.getUserId().isEmpty() ? event.getAnonymousId() : event.getUserId());
    }

    public static Event.Builder base(String tenant, String userId, String anonymousId) {
        Instant now = Instant.now();
        Event.Builder e = Event.newBuilder()
                .setTenant(tenant)
                .setSourceId("test")
                .setMessageId(UUID.randomUUID().toString())
                .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                .setReceivedAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()));
        if (userId != null) {
            e.setUserId(userId);
        }
        if (anonymousId != null) {
            e.setAnonymousId(anonymousId);
        }
        return e;
    }

    public static Event track(String tenant, String userId, String anonymousId, String name) {
        return base(tenant, userId, anonymousId)
                .setType(EventType.EVENT_TYPE_TRACK)
                .setEvent(name)
                .build();
    }

    public static Event identify(String tenant, String userId, String anonymousId, Map<String, String> traits) {
        Struct.Builder struct = Struct.newBuilder();
        traits.forEach((k, v) ->
                struct.putFields(k, Value.newBuilder().setStringValue(v).build()));
        return base(tenant, userId, anonymousId)
                .setType(EventType.EVENT_TYPE_IDENTIFY)
                .setTraits(struct)
                .build();
    }

    /** alias: {@code previousId} becomes the user's. */
    public static Event alias(String tenant, String userId, String previousId) {
        return base(tenant, userId, null)
                .setType(EventType.EVENT_TYPE_ALIAS)
                .setPreviousId(previousId)
                .build();
    }

    @Override
    public void close() {
        producer.close();
    }
}
