package io.strata.tools;

import io.strata.segmentation.models.BgNbd;
import io.strata.segmentation.models.CustomerSummary;
import io.strata.segmentation.models.GammaGamma;
import io.strata.segmentation.models.Purchase;
import io.strata.segmentation.models.Simulation;
import io.strata.segmentation.models.Summaries;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fits BG/NBD and Gamma-Gamma to purchases in the CDNOW layout, as the product's models do: the
 * file read and summarised (same-day purchases one transaction, weeks), then both fits, timed.
 */
@Command(
        name = "bench-clv",
        mixinStandardHelpOptions = true,
        description = "Fit BG/NBD and Gamma-Gamma to a purchases file in the CDNOW layout"
                + " (customer id, yyyymmdd, quantity, amount; the sample's five columns too).")
public final class ClvBench implements Callable<Integer> {

    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    @Option(names = "--transactions", description = "the purchases file (or, with --simulate, the file to write)")
    Path transactions;

    @Option(
            names = "--calibration-end",
            description = "the calibration's last day, yyyy-mm-dd (default ${DEFAULT-VALUE})")
    LocalDate calibrationEnd = LocalDate.of(1997, 9, 30);

    @Option(
            names = "--simulate",
            description = "write this many customers' purchases drawn from the models first (the CDNOW"
                    + " parameters, first purchases in the 12 weeks from 1997-01-01)")
    int simulate;

    @Option(names = "--runs", description = "timed fits after one warm-up (default ${DEFAULT-VALUE})")
    int runs = 3;

    @Option(names = "--report", description = "append the results, as a Markdown table row, to this file")
    Path report;

    @Override
    public Integer call() throws IOException {
        if (transactions == null) {
            throw new IllegalArgumentException("--transactions is required");
        }
        if (simulate > 0) {
            long started = System.nanoTime();
            long lines = write(transactions, simulate);
            System.out.printf(
                    Locale.ROOT,
                    "simulated:  %,d customers, %,d purchases into %s in %.1f s%n",
                    simulate,
                    lines,
                    transactions,
                    (System.nanoTime() - started) / 1e9);
        }
        long started = System.nanoTime();
        List<Purchase> purchases = read(transactions);
        List<CustomerSummary> customers = Summaries.of(purchases, calibrationEnd, 7);
        double summariseMs = (System.nanoTime() - started) / 1e6;
        long repeat = customers.stream().filter(c -> c.x() > 0).count();
        System.out.printf(
                Locale.ROOT,
                "summarised: %,d purchases of %,d customers (%,d repeat buyers) to %s in %.0f ms%n",
                purchases.size(),
                customers.size(),
                repeat,
                calibrationEnd,
                summariseMs);
        purchases = null;

        double[] times = new double[runs];
        BgNbd.Fit bg = null;
        GammaGamma.Fit gg = null;
        double firstMs = 0;
        for (int run = -1; run < runs; run++) {
            long t0 = System.nanoTime();
            bg = BgNbd.fit(customers);
            long t1 = System.nanoTime();
            gg = GammaGamma.fit(customers);
            long t2 = System.nanoTime();
            double ms = (t2 - t0) / 1e6;
            if (run < 0) {
                firstMs = ms;
            } else {
                times[run] = ms;
            }
            System.out.printf(
                    Locale.ROOT,
                    "fit %s BG/NBD %.0f ms (%d likelihoods), Gamma-Gamma %.0f ms (%d likelihoods)%n",
                    run < 0 ? "(warm-up):" : (run + 1) + ":",
                    (t1 - t0) / 1e6,
                    bg.evaluations(),
                    (t2 - t1) / 1e6,
                    gg.evaluations());
        }
        Arrays.sort(times);
        double fitMs = runs > 0 ? times[runs / 2] : firstMs;
        BgNbd.Params b = bg.params();
        GammaGamma.Params g = gg.params();
        System.out.printf(
                Locale.ROOT,
                "BG/NBD:      r %.4f  alpha %.4f  a %.4f  b %.4f  log-likelihood %.2f%n",
                b.r(),
                b.alpha(),
                b.a(),
                b.b(),
                bg.logLikelihood());
        System.out.printf(
                Locale.ROOT,
                "Gamma-Gamma: p %.4f  q %.4f  gamma %.4f  log-likelihood %.2f (%,d repeat buyers)%n",
                g.p(),
                g.q(),
                g.gamma(),
                gg.logLikelihood(),
                gg.customers());
        String figures = String.format(
                Locale.ROOT,
                "customers=%d r=%.3f alpha=%.3f a=%.3f b=%.3f p=%.2f q=%.2f gamma=%.2f fit_ms=%.0f",
                customers.size(),
                b.r(),
                b.alpha(),
                b.a(),
                b.b(),
                g.p(),
                g.q(),
                g.gamma(),
                fitMs);
        if (report != null) {
            SegmentationBench.report(
                    report,
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %,d | %,d | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f |%n",
                            ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                            simulate > 0 ? "simulated" : transactions.getFileName(),
                            customers.size(),
                            repeat,
                            b.r(),
                            b.alpha(),
                            b.a(),
                            b.b(),
                            g.p(),
                            g.q(),
                            g.gamma(),
                            summariseMs,
                            firstMs,
                            fitMs));
        }
        System.out.println(figures);
        return 0;
    }

    /** One purchase a line: {@code id yyyymmdd quantity amount}, or the sample's {@code master_id sample_id ...}. */
    static List<Purchase> read(Path file) throws IOException {
        List<Purchase> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                String[] f = line.trim().split("\\s+");
                if (f.length == 1 && f[0].isEmpty()) {
                    continue;
                }
                if (f.length != 4 && f.length != 5) {
                    if (number == 1) {
                        continue; // a header
                    }
                    throw new IllegalArgumentException(file + " line " + number + ": 4 or 5 columns expected");
                }
                int d = f.length - 3;
                try {
                    out.add(new Purchase(f[0], LocalDate.parse(f[d], DAY), Double.parseDouble(f[d + 2])));
                } catch (RuntimeException e) {
                    if (number == 1) {
                        continue;
                    }
                    throw new IllegalArgumentException(file + " line " + number + ": " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    private long write(Path file, int customers) throws IOException {
        long[] lines = {0};
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            Simulation.purchases(
                    new BgNbd.Params(0.243, 4.414, 0.793, 2.426),
                    new GammaGamma.Params(6.25, 3.74, 15.44),
                    customers,
                    LocalDate.of(1997, 1, 1),
                    84,
                    calibrationEnd,
                    2005,
                    p -> {
                        try {
                            out.write(p.customer() + " " + p.day().format(DAY) + " 1 "
                                    + String.format(Locale.ROOT, "%.2f", p.amount()) + "\n");
                            lines[0]++;
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        return lines[0];
    }
}
