package io.strata.segmentation.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.strata.testing.LocalStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A change feed and a membership topic of the test run's own (6 partitions each, like the
 * product's), deleted afterwards, and the test database emptied first: the engine starts from
 * nothing, and a test writes the feed records it needs.
 */
public class FeedTopics implements QuarkusTestResourceLifecycleManager {

    public static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    public static final String CHANGES = "test.strata.segmentation." + RUN + ".profile-changes.v1";
    public static final String EVENTS = "test.strata.segmentation." + RUN + ".profile-events.v1";
    public static final String MEMBERSHIP = "test.strata.segmentation." + RUN + ".segment-membership.v1";

    @Override
    public Map<String, String> start() {
        LocalStack.requireKafkaAndPostgres();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(
                            new NewTopic(CHANGES, 6, (short) 1),
                            new NewTopic(EVENTS, 6, (short) 1),
                            new NewTopic(MEMBERSHIP, 6, (short) 1)))
                    .all()
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test topics", e);
        }
        emptyDatabase();
        return Map.of(
                "strata.segmentation.feed.profile-changes-topic", CHANGES,
                "strata.segmentation.feed.profile-events-topic", EVENTS,
                "strata.segmentation.feed.membership-topic", MEMBERSHIP,
                "strata.segmentation.feed.group", "segmentation-service-test-" + RUN);
    }

    @Override
    public void stop() {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(CHANGES, EVENTS, MEMBERSHIP)).all().get();
        } catch (Exception e) {
            // the broker drops them with the next local stack; nothing else reads them
        }
    }

    private static Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        return Admin.create(props);
    }

    /** Runs a statement on the test database (a test's way to bend what the service stored). */
    public static void sql(String statement) {
        try (Connection conn = DriverManager.getConnection(
                        LocalStack.testJdbcUrl("segmentation"), "strata_segmentation", "strata");
                Statement st = conn.createStatement()) {
            st.execute(statement);
        } catch (Exception e) {
            throw new IllegalStateException("cannot run " + statement, e);
        }
    }

    /** The first column of a query's rows on the test database. */
    public static Set<String> strings(String query) {
        try (Connection conn = DriverManager.getConnection(
                        LocalStack.testJdbcUrl("segmentation"), "strata_segmentation", "strata");
                Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            Set<String> out = new TreeSet<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot run " + query, e);
        }
    }

    /** Empties the tables of the test database (Flyway creates them on a fresh one). */
    private static void emptyDatabase() {
        LocalStack.emptyTestDatabase("segmentation", "strata_segmentation", "strata");
    }
}
