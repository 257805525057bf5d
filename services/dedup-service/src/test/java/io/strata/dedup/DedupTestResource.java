package io.strata.dedup;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.strata.testing.KafkaGroups;
import io.strata.testing.LocalStack;
import io.strata.testing.TestTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A Kafka Streams application of the test's own beside any running stack: the test topics, its own application id
 * (so its own group, window and changelog), starting at the current end of the incoming topic, and
 * a state directory of its own. Its internal topics and group are deleted after the run.
 */
public class DedupTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String INPUT = TestTopics.INCOMING;

    private String applicationId;
    private Path stateDir;

    @Override
    public Map<String, String> start() {
        LocalStack.requireKafka();
        TestTopics.ensure();
        applicationId = "strata-dedup-test-" + UUID.randomUUID();
        // a new application would read the whole incoming topic and forward its history again
        KafkaGroups.startAtEnd(applicationId, INPUT);
        try {
            stateDir = Files.createTempDirectory("strata-dedup-test-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a state directory", e);
        }
        return Map.of(
                // topics of the tests' own, never the product's
                "strata.dedup.input-topic",
                TestTopics.INCOMING,
                "strata.dedup.output-topic",
                TestTopics.EVENTS,
                "strata.dedup.dead-letter-topic",
                TestTopics.DEAD_LETTERS,
                "quarkus.kafka-streams.application-id",
                applicationId,
                "quarkus.kafka-streams.bootstrap-servers",
                LocalStack.kafkaBootstrapServers(),
                "kafka-streams.state.dir",
                stateDir.toString(),
                // leave the group when stopping, so the group is empty and can be deleted
                "kafka-streams.consumer.internal.leave.group.on.close",
                "true");
    }

    @Override
    public void stop() {
        KafkaGroups.deleteStreamsApplication(applicationId);
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory
        }
    }
}
