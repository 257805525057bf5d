package io.strata.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Kafka (KRaft) of a test's own, started from the local stack's broker jars
 * ({@code .strata/kafka/lib}, which {@code ./strata test} fetches) on ports and a data directory
 * of its own. The test holds its process: it may kill it ({@code kill -9}) and start it again on
 * the same data, without ever touching the stack's broker or another process.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Path lib;
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final Path log;
    private Process process;

    /**
     * @param root the repository root
     * @param port the broker's port; the controller listens on {@code port + 1}
     */
    public KafkaBroker(Path root, int port) {
        String state = System.getenv("STRATA_STATE");
        Path stateDir = state == null || state.isBlank() ? root.resolve(".strata") : Path.of(state);
        this.lib = stateDir.resolve("kafka/lib");
        this.port = port;
        this.controllerPort = port + 1;
        try {
            // under target/, so the build's clean removes it
            Path target = Files.createDirectories(root.resolve("services/e2e-tests/target"));
            this.dir = Files.createTempDirectory(target, "kafka-" + port + "-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        this.log = dir.resolve("broker.log");
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Formats the storage (the first time) and starts the broker; returns once it serves. */
    public KafkaBroker start() {
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(
                    lib + " is missing: ./strata test (or ./strata up) fetches the broker's jars");
        }
        for (int taken : new int[] {port, controllerPort}) {
            // else a broker left over from an earlier run would answer for this one
            if (ServiceProcess.listening(taken)) {
                throw new IllegalStateException("port " + taken + " is held by another process; stop it first");
            }
        }
        try {
            Path config = dir.resolve("server.properties");
            if (!Files.exists(config)) {
                Files.writeString(
                        config,
                        String.join(
                                "\n",
                                "process.roles=broker,controller",
                                "node.id=1",
                                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                                "inter.broker.listener.name=PLAINTEXT",
                                "controller.listener.names=CONTROLLER",
                                "offsets.topic.replication.factor=1",
                                "share.coordinator.state.topic.replication.factor=1",
                                "share.coordinator.state.topic.min.isr=1",
                                "transaction.state.log.replication.factor=1",
                                "transaction.state.log.min.isr=1",
                                "default.replication.factor=1",
                                "min.insync.replicas=1",
                                "auto.create.topics.enable=false",
                                "group.initial.rebalance.delay.ms=0",
                                "log.dirs=" + dir.resolve("data"),
                                ""));
                run(List.of("kafka.tools.StorageTool", "format", "-t", uuid(), "-c", config.toString()));
            }
            List<String> command = new ArrayList<>(java());
            command.addAll(List.of("-Xmx384m", "kafka.Kafka", config.toString()));
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a broker on " + port, e);
        }
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        awaitServing();
        if (!process.isAlive()) {
            throw new IllegalStateException("the broker exited once serving; see " + log);
        }
        return this;
    }

    /** Waits until the broker is registered and unfenced: a describeCluster names it. */
    private void awaitServing() {
        await("the broker on " + port + " serves")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the broker exited; see " + log);
                    }
                    try (Admin admin = admin()) {
                        return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(1000))
                                .nodes()
                                .get()
                                .isEmpty();
                    } catch (Exception e) {
                        return false;
                    }
                });
    }

    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + name, e);
        }
    }

    /** {@code kill -9}: the process this test started, and no other, ends at once, without a flush. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        kill();
    }

    private Admin admin() {
        Properties props = new Properties();
        props.putAll(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000));
        return Admin.create(props);
    }

    private List<String> java() {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", lib.toAbsolutePath() + "/*");
    }

    private void run(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(java());
        command.add("-Xmx256m");
        command.addAll(args);
        Process tool = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            if (tool.waitFor() != 0) {
                throw new IllegalStateException(args.get(0) + " failed; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A cluster id as Kafka makes them: never one that begins with "-", which the storage tool would
     * read as an option (a random base64 id does so once in 64 runs).
     */
    private static String uuid() {
        return Uuid.randomUuid().toString();
    }
}
