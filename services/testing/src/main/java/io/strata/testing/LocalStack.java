package io.strata.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Coordinates of the local stack that {@code ./strata up} and {@code ./strata test} start,
 * overridable with environment variables so the same tests run against another stack.
 */
public final class LocalStack {

    private LocalStack() {}

    public static String kafkaBootstrapServers() {
        return env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    }

    public static String postgresHost() {
        return env("STRATA_PG_HOST", "127.0.0.1");
    }

    public static int postgresPort() {
        return Integer.parseInt(env("STRATA_PG_PORT", "5432"));
    }

    /** JDBC URL of the test database of a service, e.g. {@code profile} → {@code strata_profile_test}. */
    public static String testJdbcUrl(String service) {
        return "jdbc:postgresql://" + postgresHost() + ":" + postgresPort() + "/strata_" + service + "_test";
    }

    /**
     * Empties every table of a service's test database but Flyway's history (a test starts from
     * nothing whatever the migrations added since); nothing to do when Flyway has not run there yet.
     * The PostgreSQL driver comes from the caller's classpath.
     */
    public static void emptyTestDatabase(String service, String user, String password) {
        try (Connection conn = DriverManager.getConnection(testJdbcUrl(service), user, password);
                Statement st = conn.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select tablename from pg_tables where schemaname = 'public'"
                    + " and tablename <> 'flyway_schema_history'")) {
                while (rs.next()) {
                    tables.add('"' + rs.getString(1) + '"');
                }
            }
            if (!tables.isEmpty()) {
                st.execute("truncate " + String.join(", ", tables));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty the test database of " + service, e);
        }
    }

    public static boolean isListening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails fast with a message a person can act on when a piece of the stack does not answer. */
    public static void requireListening(String what, String host, int port) {
        if (!isListening(host, port)) {
            throw new IllegalStateException(what + " does not answer on " + host + ":" + port
                    + "; start the local stack with ./strata up (or run the tests with ./strata test)");
        }
    }

    /** Whether the first Kafka bootstrap server answers. */
    public static boolean kafkaListening() {
        String[] kafka = firstKafka();
        return isListening(kafka[0], Integer.parseInt(kafka[1]));
    }

    public static void requireKafka() {
        String[] kafka = firstKafka();
        requireListening("Kafka", kafka[0], Integer.parseInt(kafka[1]));
    }

    private static String[] firstKafka() {
        return kafkaBootstrapServers().split(",")[0].split(":");
    }

    public static void requireKafkaAndPostgres() {
        requireKafka();
        requireListening("PostgreSQL", postgresHost(), postgresPort());
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
