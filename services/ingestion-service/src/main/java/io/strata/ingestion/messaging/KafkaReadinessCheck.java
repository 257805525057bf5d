package io.strata.ingestion.messaging;

import io.strata.platform.kafka.KafkaConnection;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while Kafka takes events: DOWN while the latest sends failed, and DOWN when the cluster
 * does not answer a short {@code describeCluster} (asked at most every few seconds). The producer's
 * metadata cache is never taken for an answer: it stays filled with the broker gone.
 */
@Readiness
@ApplicationScoped
public class KafkaReadinessCheck implements HealthCheck {

    /** Sends that failed this recently, with none acknowledged since, make the service not ready. */
    static final Duration RECENT = Duration.ofSeconds(30);
    /** How long a cluster answer is taken as current. */
    static final Duration CACHED = Duration.ofSeconds(5);

    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final EventProducer producer;
    private final Admin admin;
    private final BooleanSupplier cluster;
    private volatile long checkedAt;
    private volatile boolean answered;

    @Inject
    public KafkaReadinessCheck(
            EventProducer producer, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.producer = producer;
        Map<String, Object> props = KafkaConnection.settings(bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "ingestion-service-health");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        this.admin = Admin.create(props);
        this.cluster = this::describeCluster;
    }

    /** For tests: the cluster's answer from elsewhere. */
    KafkaReadinessCheck(EventProducer producer, BooleanSupplier cluster) {
        this.producer = producer;
        this.admin = null;
        this.cluster = cluster;
    }

    @Override
    public HealthCheckResponse call() {
        if (producer.failing(RECENT)) {
            return HealthCheckResponse.named("kafka")
                    .down()
                    .withData("reason", "the latest sends to Kafka failed")
                    .build();
        }
        long now = System.nanoTime();
        if (checkedAt == 0 || now - checkedAt > CACHED.toNanos()) {
            answered = cluster.getAsBoolean();
            checkedAt = now;
        }
        return HealthCheckResponse.named("kafka")
                .status(answered)
                .withData("reason", answered ? "the cluster answers" : "the cluster does not answer")
                .build();
    }

    private boolean describeCluster() {
        try {
            return !admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .nodes()
                    .get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS)
                    .isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @PreDestroy
    void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
