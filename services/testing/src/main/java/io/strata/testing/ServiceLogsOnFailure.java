package io.strata.testing;

import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints, when a test fails, what the services it ran said that matches a pattern (their logs are
 * files beside the build, which a CI run does not keep): e.g. which partitions a replica was
 * assigned and when they went live. Register it with {@code @RegisterExtension}.
 */
public final class ServiceLogsOnFailure implements TestWatcher {

    private static final int LIMIT = 200;

    private final Supplier<List<ServiceProcess>> processes;
    private final Pattern matching;

    /**
     * @param processes the processes as the test holds them when it fails (a test may replace one)
     */
    public ServiceLogsOnFailure(Supplier<List<ServiceProcess>> processes, Pattern matching) {
        this.processes = processes;
        this.matching = matching;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        StringBuilder out = new StringBuilder();
        for (ServiceProcess process : processes.get()) {
            if (process == null) {
                continue;
            }
            out.append("---- ")
                    .append(process.log())
                    .append(", lines matching ")
                    .append(matching);
            out.append(" (the last ").append(LIMIT).append(")\n");
            process.logLines(matching, LIMIT).forEach(line -> out.append(line).append('\n'));
        }
        System.out.print(out);
    }
}
