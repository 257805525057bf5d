package io.strata.campaign.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.strata.testing.LocalStack;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Feeds of the test run's own (6 partitions each, like the product's), deleted afterwards. */
public class CampaignTopics implements QuarkusTestResourceLifecycleManager {

    public static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    public static final String CHANGES = "test.strata.campaign." + RUN + ".profile-changes.v1";
    public static final String EVENTS = "test.strata.campaign." + RUN + ".profile-events.v1";
    public static final String MEMBERSHIP = "test.strata.campaign." + RUN + ".segment-membership.v1";
    public static final String DEAD_LETTERS = "test.strata.campaign." + RUN + ".events.dlq.v1";
    /**
     * Messages go to the one test topic of every run (the outbox keeps rows of every test's
     * application, each with the topic it was written for); a test tells its own apart by tenant.
     */
    public static final String MESSAGES = io.strata.testing.TestTopics.MESSAGES;

    @Override
    public Map<String, String> start() {
        LocalStack.requireKafkaAndPostgres();
        io.strata.testing.TestTopics.ensure();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(
                            new NewTopic(CHANGES, 6, (short) 1),
                            new NewTopic(EVENTS, 6, (short) 1),
                            new NewTopic(MEMBERSHIP, 6, (short) 1),
                            new NewTopic(DEAD_LETTERS, 1, (short) 1)))
                    .all()
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test topics", e);
        }
        return Map.of(
                "strata.campaign.feed.enabled", "true",
                "strata.campaign.feed.profile-changes-topic", CHANGES,
                "strata.campaign.feed.profile-events-topic", EVENTS,
                "strata.campaign.feed.membership-topic", MEMBERSHIP,
                "strata.campaign.dead-letter-topic", DEAD_LETTERS,
                "strata.campaign.outbox.enabled", "true",
                "strata.campaign.feed.group", "campaign-service-test-" + RUN);
    }

    @Override
    public void stop() {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(CHANGES, EVENTS, MEMBERSHIP, DEAD_LETTERS))
                    .all()
                    .get();
        } catch (Exception e) {
            // left for the next run's machine clean-up; names are unique per run
        }
    }

    private static Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        return Admin.create(props);
    }
}
