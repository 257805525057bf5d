package io.strata.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A packaged Quarkus service ({@code target/quarkus-app/quarkus-run.jar}) run as its own
 * process, as in production: settings as system properties, secrets ({@link #secret}) in its
 * environment only, so no command line ({@code ps}) shows them. It refuses to start on a port
 * another process holds, and a test JVM that ends leaves none of its services running.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Path jar;
    private final int port;
    private final int managementPort;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Path log;
    private long logFrom;
    private Process process;

    /**
     * @param port its HTTP port; its management port (health, metrics) is {@code port + 1000}
     */
    public ServiceProcess(Path root, String name, int port) {
        this.name = name;
        this.jar = root.resolve("services").resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
        this.port = port;
        this.managementPort = port + 1000;
        // one file per process: two replicas of a service write apart
        this.log = root.resolve("services").resolve(name).resolve("target/e2e-" + name + "-" + port + ".log");
        property("quarkus.http.port", Integer.toString(port));
        property("quarkus.management.port", Integer.toString(managementPort));
    }

    public ServiceProcess property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** A secret setting, by its environment variable (e.g. {@code STRATA_INGESTION_BOOTSTRAP_WRITE_KEY}). */
    public ServiceProcess secret(String variable, String value) {
        environment.put(variable, value);
        return this;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Where its health and metrics are served. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path log() {
        return log;
    }

    /**
     * The value of a gauge (without labels, or its first series) from its Prometheus metrics, -1
     * when the process does not answer or has no such gauge.
     */
    public double gauge(String name) {
        Pattern series = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$");
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(managementUrl() + "/q/metrics"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            var m = series.matcher(response.body());
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The lines this process wrote since it last started (its file keeps earlier runs) that match,
     * at most the last {@code limit}: what a failed test prints to say what the service did.
     */
    public List<String> logLines(Pattern matching, int limit) {
        List<String> out = new ArrayList<>();
        try (var in = Files.newInputStream(log)) {
            in.skipNBytes(Math.min(logFrom, Files.size(log)));
            new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(line -> matching.matcher(line).find())
                    .forEach(out::add);
        } catch (IOException e) {
            return List.of("(" + log + " cannot be read: " + e.getMessage() + ")");
        }
        return out.subList(Math.max(0, out.size() - limit), out.size());
    }

    /** Starts the process and waits until {@code /q/health/ready} (management port) answers 200. */
    public ServiceProcess start(Duration timeout) {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw package)");
        }
        for (int taken : new int[] {port, managementPort}) {
            // else a process left over from an earlier run would answer for this one
            if (listening(taken)) {
                throw new IllegalStateException(
                        "port " + taken + " of " + name + " is held by another process; stop it first");
            }
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        try {
            logFrom = Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            logFrom = 0;
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        awaitReady(timeout);
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited once ready; see " + log);
        }
        return this;
    }

    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        await(name + " ready")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
                    }
                    try {
                        return client.send(request, HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false; // not listening yet
                    }
                });
    }

    /** Ends the process at once, as {@code kill -9} does: no shutdown hook, no final commit. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitFor();
        }
    }

    /** Asks the process to stop and waits for it. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitFor();
        }
    }

    private void waitFor() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
