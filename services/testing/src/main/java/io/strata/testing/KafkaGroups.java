package io.strata.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/** Consumer-group chores of tests that share one broker with earlier runs and the demo. */
public final class KafkaGroups {

    private KafkaGroups() {}

    /** Waits until the group has members that own every partition of the topic. */
    public static void awaitAssigned(String groupId, String topic, Duration timeout) {
        try (Admin admin = admin()) {
            int partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()
                    .size();
            await("group " + groupId + " owns " + topic)
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId))
                                .all()
                                .get()
                                .get(groupId);
                        long owned = group.members().stream()
                                .flatMap(m -> m.assignment().topicPartitions().stream())
                                .filter(tp -> tp.topic().equals(topic))
                                .count();
                        return owned == partitions;
                    });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe " + topic, e);
        }
    }

    /**
     * Commits the topic's current end offsets for a new group, so a consumer started with it
     * reads only what comes next, yet never skips a record after a crash.
     */
    public static void startAtEnd(String groupId, String topic) {
        try (Admin admin = admin()) {
            var description =
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            description
                    .partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get()
                    .forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(groupId, offsets).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set offsets of " + groupId, e);
        }
    }

    /**
     * Deletes the internal topics (changelogs, repartitions) a Kafka Streams application of a
     * test created, named {@code <applicationId>-...}, and its group, so runs leave no topics behind.
     */
    public static void deleteStreamsApplication(String applicationId) {
        try (Admin admin = admin()) {
            List<String> internal = admin.listTopics().names().get().stream()
                    .filter(name -> name.startsWith(applicationId + "-"))
                    .toList();
            if (!internal.isEmpty()) {
                admin.deleteTopics(internal).all().get();
            }
            try {
                admin.deleteConsumerGroups(List.of(applicationId)).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot delete the topics of " + applicationId, e);
        }
    }

    private static Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        return Admin.create(props);
    }
}
