package io.strata.tools;

import io.strata.segmentation.models.Purchase;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Purchases in the CDNOW layout as an orders CSV the product imports, so the published BG/NBD and
 * Gamma-Gamma numbers can be reproduced through import → profiles → model: the calibration
 * period only (what the fit sees), every date moved by the same number of days so that the
 * calibration ends on {@code --end-on} (the events' retention counts from today). Prints, as its
 * last line, the instant to run the models as of.
 */
@Command(
        name = "cdnow-orders",
        mixinStandardHelpOptions = true,
        description = "Purchases in the CDNOW layout as an orders CSV to import, moved to end on a recent day.")
public final class CdnowOrders implements Callable<Integer> {

    static final String HEADER =
            "order_id,user_id,email,phone,timestamp,product_id,name,category,price,quantity,channel,store,currency";

    @Option(names = "--transactions", required = true, description = "the purchases (CDNOW layout)")
    Path transactions;

    @Option(
            names = "--calibration-end",
            defaultValue = "1997-09-30",
            description = "last day kept (default ${DEFAULT-VALUE})")
    LocalDate calibrationEnd;

    @Option(names = "--end-on", description = "the day the calibration end moves to (default: yesterday, +08:00)")
    LocalDate endOn;

    @Option(names = "--out", required = true, description = "the orders CSV to write")
    Path out;

    @Override
    public Integer call() throws IOException {
        LocalDate target =
                endOn != null ? endOn : LocalDate.now(ZoneOffset.ofHours(8)).minusDays(1);
        int rows = write(ClvBench.read(transactions), calibrationEnd, target, out);
        System.err.printf(
                Locale.ROOT,
                "cdnow-orders: %,d purchases up to %s, moved to end on %s, in %s%n",
                rows,
                calibrationEnd,
                target,
                out);
        System.out.println(asOf(target));
        return 0;
    }

    /** The end of that day in +08:00 (the orders' zone): the instant to run the models as of. */
    static String asOf(LocalDate day) {
        return day + "T23:59:59+08:00";
    }

    /**
     * Writes one order a purchase up to the calibration end (price the amount, quantity 1), each
     * date moved by the days from the calibration end to {@code target}; returns how many.
     */
    static int write(List<Purchase> purchases, LocalDate calibrationEnd, LocalDate target, Path file)
            throws IOException {
        long shift = ChronoUnit.DAYS.between(calibrationEnd, target);
        Map<String, Integer> sameDay = new HashMap<>();
        int rows = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write(HEADER);
            w.newLine();
            for (Purchase p : purchases) {
                if (p.day().isAfter(calibrationEnd)) {
                    continue;
                }
                int n = sameDay.merge(p.customer() + "/" + p.day(), 1, Integer::sum);
                w.write(String.format(
                        Locale.ROOT,
                        "CD-%s-%s-%d,c%s,,,%sT12:00:00+08:00,CD,CD,music,%.2f,1,web,,USD",
                        p.customer(),
                        p.day(),
                        n,
                        p.customer(),
                        p.day().plusDays(shift),
                        p.amount()));
                w.newLine();
                rows++;
            }
        }
        return rows;
    }
}
