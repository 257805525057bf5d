package io.strata.segmentation.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published CDNOW results (Fader, Hardie and Lee 2005; the domain guide and the datasets'
 * README): the sample's raw purchases summarised here equal the published summary, and the two
 * models fitted on it give the published parameters, log-likelihoods and expectations.
 */
class CdnowTest {

    static final Path CDNOW = Path.of(System.getProperty("strata.shared", "../../../shared"), "datasets", "cdnow");
    static final LocalDate CALIBRATION_END = LocalDate.of(1997, 9, 30);

    /** Half a unit of the published figures' last decimal (and the rounding of a binary fraction). */
    private static final double PRINTED = 0.005 + 1e-9;

    private static List<CustomerSummary> customers;

    @BeforeAll
    static void summarise() throws IOException {
        customers = Summaries.of(purchases(CDNOW.resolve("CDNOW_sample.txt")), CALIBRATION_END, 7);
    }

    /** {@code master_id sample_id yyyymmdd cds dollars}, one purchase a line; the sample id names the customer. */
    static List<Purchase> purchases(Path file) throws IOException {
        List<Purchase> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            out.add(new Purchase(
                    Integer.parseInt(f[1]) + "",
                    LocalDate.parse(f[2], DateTimeFormatter.BASIC_ISO_DATE),
                    Double.parseDouble(f[4])));
        }
        return out;
    }

    @Test
    void theSummaryOfTheRawPurchasesIsThePublishedOne() throws IOException {
        List<String> published = Files.readAllLines(CDNOW.resolve("cdnow_customers_summary_with_transactions.csv"));
        assertEquals(published.size() - 1, customers.size(), "customers");
        for (int i = 1; i < published.size(); i++) {
            String[] f = published.get(i).split(",");
            CustomerSummary c = customers.get(i - 1);
            assertEquals(f[0], c.id());
            assertEquals(Integer.parseInt(f[1]), c.x(), "x of " + c.id());
            assertEquals(Double.parseDouble(f[2]), c.tx(), PRINTED, "t_x of " + c.id());
            assertEquals(Double.parseDouble(f[3]), c.T(), PRINTED, "T of " + c.id());
            assertEquals(Double.parseDouble(f[4]), c.monetary(), PRINTED, "zbar of " + c.id());
        }
    }

    @Test
    void bgNbdGivesThePublishedParameters() {
        BgNbd.Fit fit = BgNbd.fit(customers);
        assertEquals(0.243, fit.params().r(), 0.0005, "r");
        assertEquals(4.414, fit.params().alpha(), 0.0005, "alpha");
        assertEquals(0.793, fit.params().a(), 0.0005, "a");
        assertEquals(2.426, fit.params().b(), 0.0005, "b");
        assertEquals(-9582.43, fit.logLikelihood(), 0.005, "log-likelihood");
        assertEquals(2357, fit.customers());
        // the standard errors lifetimes publishes for this fit (from the observed information)
        assertEquals(0.013, fit.standardErrors()[0], 0.0005, "se(r)");
        assertEquals(0.378, fit.standardErrors()[1], 0.0005, "se(alpha)");
        assertEquals(0.186, fit.standardErrors()[2], 0.0005, "se(a)");
        assertEquals(0.706, fit.standardErrors()[3], 0.0015, "se(b)");
        // equation 10 for x = 2, tx = 30.43, T = 38.86 over 39 weeks
        assertEquals(1.226, BgNbd.expectedPurchases(fit.params(), 39, 2, 30.43, 38.86), 0.0005);
    }

    @Test
    void gammaGammaGivesThePublishedParametersAndSpends() {
        GammaGamma.Fit fit = GammaGamma.fit(customers);
        assertEquals(946, fit.customers(), "repeat buyers");
        assertEquals(6.25, fit.params().p(), 0.005, "p");
        assertEquals(3.74, fit.params().q(), 0.005, "q");
        assertEquals(15.44, fit.params().gamma(), 0.005, "gamma");
        assertEquals(-4055.92, fit.logLikelihood(), 0.005, "log-likelihood");
        double[] spends = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
        for (int i = 0; i < spends.length; i++) {
            CustomerSummary c = customers.get(i);
            assertEquals(
                    spends[i],
                    GammaGamma.expectedSpend(fit.params(), c.x(), c.monetary()),
                    0.005,
                    "the expected spend of customer " + c.id());
        }
    }
}
