package io.strata.ingestion.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.testing.LocalStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** Readiness means Kafka takes events: each way it can be DOWN, and UP against the real broker. */
class KafkaReadinessCheckTest {

    private static final Event EVENT = Event.newBuilder()
            .setType(EventType.EVENT_TYPE_TRACK)
            .setTenant("t")
            .setUserId("u")
            .setEvent("X")
            .build();

    @Test
    void downWhileTheLatestSendsFailEvenIfTheClusterSeemsToAnswer() {
        EventProducer producer = new EventProducer(
                Map.of("bootstrap.servers", "127.0.0.1:1", "max.block.ms", "300"), "strata.events.v1");
        try {
            KafkaReadinessCheck check = new KafkaReadinessCheck(producer, () -> true);
            assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus(), "no send has failed yet");
            producer.publish(List.of(EVENT)).await().atMost(Duration.ofSeconds(5));
            HealthCheckResponse down = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
            assertEquals(
                    "the latest sends to Kafka failed",
                    down.getData().orElseThrow().get("reason"));
        } finally {
            producer.close();
        }
    }

    @Test
    void downWhenTheClusterDoesNotAnswerADescribe() {
        EventProducer producer = new EventProducer(Map.of("bootstrap.servers", "127.0.0.1:1"), "strata.events.v1");
        KafkaReadinessCheck check = new KafkaReadinessCheck(producer, "127.0.0.1:1");
        try {
            HealthCheckResponse down = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
            assertEquals(
                    "the cluster does not answer", down.getData().orElseThrow().get("reason"));
        } finally {
            check.close();
            producer.close();
        }
    }

    @Test
    void upWhenTheBrokerAnswers() {
        LocalStack.requireKafka();
        String bootstrap = LocalStack.kafkaBootstrapServers();
        EventProducer producer = new EventProducer(Map.of("bootstrap.servers", bootstrap), "strata.events.v1");
        KafkaReadinessCheck check = new KafkaReadinessCheck(producer, bootstrap);
        try {
            assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
        } finally {
            check.close();
            producer.close();
        }
    }
}
