package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdnowOrdersTest {

    @TempDir
    Path tmp;

    @Test
    void theCalibrationPeriodMovesToEndOnTheDayGivenOneOrderAPurchase() throws Exception {
        Path file = tmp.resolve("cdnow.txt");
        Files.writeString(file, """
                 00004 0001 19970101  2   29.33
                 00004 0001 19970101  1   11.77
                 00004 0001 19970930  1   14.96
                 00004 0001 19971001  1   99.00
                 00018 0002 19970104  1   14.96
                """);
        Path out = tmp.resolve("orders.csv");
        int rows = CdnowOrders.write(
                ClvBench.read(file), LocalDate.parse("1997-09-30"), LocalDate.parse("2026-12-01"), out);
        assertEquals(4, rows, "the purchase after the calibration end is left out");
        assertEquals(
                List.of(
                        CdnowOrders.HEADER,
                        "CD-00004-1997-01-01-1,c00004,,,2026-03-04T12:00:00+08:00,CD,CD,music,29.33,1,web,,USD",
                        "CD-00004-1997-01-01-2,c00004,,,2026-03-04T12:00:00+08:00,CD,CD,music,11.77,1,web,,USD",
                        "CD-00004-1997-09-30-1,c00004,,,2026-12-01T12:00:00+08:00,CD,CD,music,14.96,1,web,,USD",
                        "CD-00018-1997-01-04-1,c00018,,,2026-03-07T12:00:00+08:00,CD,CD,music,14.96,1,web,,USD"),
                Files.readAllLines(out));
        assertEquals("2026-12-01T23:59:59+08:00", CdnowOrders.asOf(LocalDate.parse("2026-12-01")));
    }
}
