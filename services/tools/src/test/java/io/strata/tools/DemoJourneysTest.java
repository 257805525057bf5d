package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the first-purchase journey must show, from orders.csv: the report's yardstick. */
class DemoJourneysTest {

    @TempDir
    Path tmp;

    @Test
    void theSplitIsTheNext10AfterAWeekAndASecondOrderCountsWithinFourteenDaysOfIt() throws Exception {
        Path orders = tmp.resolve("orders.csv");
        Files.writeString(orders, """
                order_id,user_id,timestamp,product_id
                o1,a,2026-10-01T09:00:00.000+08:00,p1
                o1,a,2026-10-01T09:00:00.000+08:00,p2
                o2,a,2026-10-08T11:00:00.000+08:00,p1
                o3,b,2026-10-01T11:00:00.000+08:00,p1
                o4,b,2026-10-23T10:00:00.000+08:00,p1
                o5,c,2026-10-01T12:00:00.000+08:00,p1
                o6,c,2026-10-23T10:00:00.001+08:00,p1
                o7,d,2026-10-25T12:00:00.000+08:00,p1
                """);
        // a: split 2026-10-08 10:00 (the week ends at 09:00), its 11:00 order converts;
        // b: split 10-09 10:00, an order exactly 14 days on converts;
        // c: split 10-09 10:00, an order a millisecond past 14 days does not;
        // d: a week after its first order is past the clock: no split
        var truth = DemoJourneys.firstPurchaseTruth(orders, Instant.parse("2026-11-01T02:00:00Z"));
        assertEquals(new DemoJourneys.FirstPurchaseTruth(4, 3, 2), truth);
    }
}
