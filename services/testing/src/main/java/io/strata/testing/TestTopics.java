package io.strata.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The topics tests write and read: the product's topics under the prefix {@code test.}, so no test
 * event ever reaches the topics (and through them the databases) of the stack {@code ./strata up}
 * runs. Created when missing; tests tell their records apart by their own tenants and ids.
 */
public final class TestTopics {

    public static final String INCOMING = "test.strata.events.incoming.v1";
    public static final String EVENTS = "test.strata.events.v1";
    public static final String DEAD_LETTERS = "test.strata.events.dlq.v1";
    public static final String PROFILE_EVENTS = "test.strata.profile-events.v1";
    public static final String PROFILE_CHANGES = "test.strata.profile-changes.v1";
    public static final String SEGMENT_MEMBERSHIP = "test.strata.segment-membership.v1";
    public static final String MESSAGES = "test.strata.messages.v1";

    private static final Map<String, Integer> PARTITIONS = Map.of(
            INCOMING, 6,
            EVENTS, 6,
            DEAD_LETTERS, 1,
            PROFILE_EVENTS, 6,
            PROFILE_CHANGES, 6,
            SEGMENT_MEMBERSHIP, 6,
            MESSAGES, 3);

    private TestTopics() {}

    /** Creates the test topics that do not exist yet. */
    public static void ensure() {
        LocalStack.requireKafka();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            PARTITIONS.forEach((name, partitions) -> {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, partitions, (short) 1));
                }
            });
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the test topics", e);
        }
    }

    /** For {@code @QuarkusTest}s: the test topics exist before the application starts. */
    public static class Resource implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            ensure();
            return Map.of();
        }

        @Override
        public void stop() {
            // the topics stay for the next run
        }
    }
}
