package io.strata.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Drives the local stack's own scripts ({@code deploy/local/infra.sh}) from tests that take a
 * piece of infrastructure away and bring it back.
 */
public final class LocalInfra {

    private final Path root;
    private final Path state;

    public LocalInfra(Path root) {
        this.root = root.toAbsolutePath().normalize();
        String fromEnv = System.getenv("STRATA_STATE");
        this.state = fromEnv == null || fromEnv.isBlank() ? this.root.resolve(".strata") : Path.of(fromEnv);
    }

    /** Whether the broker on 9092 was started by the local stack, so a test may kill and restart it. */
    public boolean ownsKafka() {
        return Files.isRegularFile(state.resolve("pids/kafka.pid"));
    }

    /** {@code kill -9} of the broker's process group: no shutdown, no flush. */
    public void killKafka() {
        run("kill -9 -- -\"$(tr -dc 0-9 < \"$STRATA_STATE/pids/kafka.pid\")\"; rm -f \"$STRATA_STATE/pids/kafka.pid\"");
    }

    /** Starts the broker again and waits until it serves. */
    public void startKafka() {
        run("source \"$STRATA_ROOT/deploy/local/infra.sh\" && kafka_ensure");
    }

    private void run(String script) {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).inheritIO();
        builder.environment().put("STRATA_ROOT", root.toString());
        builder.environment().put("STRATA_STATE", state.toString());
        try {
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("'" + script + "' failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run bash", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
