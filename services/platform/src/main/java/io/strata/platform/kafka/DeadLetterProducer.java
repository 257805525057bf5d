package io.strata.platform.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends records a consumer can never process to the dead-letter topic ({@link DeadLetters}), acks=all
 * and idempotent; the returned stage completes once the broker has them, so a consumer commits past
 * a record only after its dead letter is stored. Sends are handed to a thread of their own: the
 * producer may block (waiting for the topic's metadata, or for buffer space while the broker is
 * away), and its callers are often on an event loop, which must never block. (Kafka Streams stages
 * forward to a sink of their topology instead, inside their transaction, with the same headers.)
 */
public final class DeadLetterProducer implements AutoCloseable {

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final String service;
    private final ExecutorService sender;

    public DeadLetterProducer(String bootstrapServers, String topic, String service) {
        Map<String, Object> props = KafkaConnection.settings(bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, service + "-dead-letters");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.service = service;
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, service + "-dead-letters");
            thread.setDaemon(true);
            return thread;
        });
    }

    public CompletionStage<Void> send(ConsumerRecord<String, byte[]> record, String reason) {
        var headers = DeadLetters.headers(
                record.headers(),
                service,
                reason,
                DeadLetters.origin(record.topic(), record.partition(), record.offset()));
        ProducerRecord<String, byte[]> letter =
                new ProducerRecord<>(topic, null, record.key(), record.value(), headers);
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            sender.execute(() -> {
                try {
                    producer.send(letter, (metadata, error) -> {
                        if (error == null) {
                            done.complete(null);
                        } else {
                            done.completeExceptionally(error);
                        }
                    });
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the dead-letter producer is closed", e));
        }
        return done;
    }

    @Override
    public void close() {
        sender.shutdown();
        producer.close(Duration.ofSeconds(10));
    }
}
