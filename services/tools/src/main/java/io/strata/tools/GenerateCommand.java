package io.strata.tools;

import io.strata.demo.DemoGenerator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A demo brand's history (see services/demo-generator): written to files, or sent straight
 * through ingestion's batch API with the same sender as {@code import}.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Generate a deterministic demo brand: consumers, their Segment events and orders,",
            "and truths.json, the answers planted in them (crowds, TGI, lift, churn, referrals, CLV)."
        })
public final class GenerateCommand implements Callable<Integer> {

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "the seed: the same arguments give the same bytes (default ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--consumers",
            defaultValue = "20000",
            description = "how many consumers (default ${DEFAULT-VALUE})")
    long consumers;

    @Option(
            names = "--months",
            defaultValue = "12",
            description = "months of history, 12 to 24 (default ${DEFAULT-VALUE})")
    int months;

    @Option(names = "--end", description = "the day the history ends, exclusive (default 2026-11-01; never the clock)")
    LocalDate end;

    @Option(
            names = "--out",
            required = true,
            description = "the folder for events.jsonl, orders.csv, consumers.csv, truths.json")
    Path out;

    @Option(names = "--send", description = "send the events through ingestion instead of writing events.jsonl")
    boolean send;

    @Mixin
    IngestionOptions ingestion;

    private final PrintStream stdout = System.out;
    private final PrintStream err = System.err;
    private volatile long consumersDone;

    @Override
    public Integer call() throws Exception {
        DemoGenerator.Options options;
        BatchSender opened = null;
        try {
            options = new DemoGenerator.Options(seed, consumers, months, end);
            if (send) {
                opened = ingestion.open();
            }
        } catch (IllegalArgumentException e) {
            err.println("generate: " + e.getMessage());
            return 2;
        }
        DemoGenerator generator = new DemoGenerator(options);
        err.printf(
                Locale.ROOT,
                "generate: %,d consumers, %d months to %s, seed %d%s%n",
                consumers,
                months,
                options.reference(),
                seed,
                send ? ", sending to " + ingestion.url : ", into " + out);
        long started = System.nanoTime();
        BatchSender.Progress progress =
                new BatchSender.Progress(() -> (double) consumersDone / consumers, "events", send);
        DemoGenerator.Summary summary;
        int status = 0;
        if (!send) {
            BatchSender.Summary written = new BatchSender.Summary();
            summary = generator.writeFiles(out, (done, events) -> {
                consumersDone = done;
                written.rows = events;
                progress.show(written);
            });
            progress.done(written);
        } else {
            try (BatchSender sender = opened) {
                long[] line = {0};
                try {
                    summary = generator.generate(
                            out,
                            json -> {
                                sender.add(++line[0], json);
                                progress.show(sender.summary());
                            },
                            (done, events) -> consumersDone = done);
                    status = sender.finish(progress, stdout, "events sent");
                } catch (BatchSender.Aborted e) {
                    return sender.stopped("generate", e, stdout, "events generated");
                }
            }
        }
        report(summary, (System.nanoTime() - started) / 1e9);
        return status;
    }

    private void report(DemoGenerator.Summary s, double seconds) {
        stdout.printf(
                Locale.ROOT, "generated %,d consumers and %,d events in %.1f s%n", s.consumers(), s.events(), seconds);
        stdout.println("  "
                + s.eventsByName().entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                        .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                        .collect(Collectors.joining(", ")));
        stdout.printf(
                Locale.ROOT,
                "  orders %,d (buyers %,d), churning %,d, core advocates %,d, invited by them (high potential) %,d%n",
                s.orders(),
                s.buyers(),
                s.churning(),
                s.core(),
                s.highPotential());
        stdout.printf(
                "  in %s: %s%s, %s, %s (the planted answers)%n",
                out.toAbsolutePath().normalize(),
                send ? "" : DemoGenerator.EVENTS + ", ",
                DemoGenerator.ORDERS,
                DemoGenerator.CONSUMERS,
                DemoGenerator.TRUTHS);
    }
}
