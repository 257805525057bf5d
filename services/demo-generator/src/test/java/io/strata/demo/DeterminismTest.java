package io.strata.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeterminismTest {

    private static final List<String> FILES =
            List.of(DemoGenerator.EVENTS, DemoGenerator.ORDERS, DemoGenerator.CONSUMERS, DemoGenerator.TRUTHS);

    @TempDir
    Path tmp;

    @Test
    void theSameArgumentsGiveTheSameBytes() throws Exception {
        generate(7, 600, 12, tmp.resolve("a"));
        generate(7, 600, 12, tmp.resolve("b"));
        for (String file : FILES) {
            assertArrayEquals(
                    Files.readAllBytes(tmp.resolve("a").resolve(file)),
                    Files.readAllBytes(tmp.resolve("b").resolve(file)),
                    file);
        }
    }

    @Test
    void anotherSeedGivesAnotherHistory() throws Exception {
        generate(7, 300, 12, tmp.resolve("a"));
        generate(8, 300, 12, tmp.resolve("b"));
        for (String file : FILES) {
            assertFalse(
                    Arrays.equals(
                            Files.readAllBytes(tmp.resolve("a").resolve(file)),
                            Files.readAllBytes(tmp.resolve("b").resolve(file))),
                    file);
        }
    }

    @Test
    void aConsumerIsTheSameWhateverIsGeneratedAroundThem() {
        TimeFrame time = new TimeFrame(DemoGenerator.DEFAULT_REFERENCE, 12);
        Population population = new Population(7, 1000, time);
        ConsumerGenerator generator = new ConsumerGenerator(7, time, population);
        EventWriter writer = new EventWriter();
        List<String> first = new ArrayList<>();
        generator.generate(500).events.forEach(e -> first.add(writer.write(e, "x")));
        for (int i = 0; i < 20; i++) {
            generator.generate(i);
        }
        List<String> again = new ArrayList<>();
        generator.generate(500).events.forEach(e -> again.add(writer.write(e, "x")));
        assertEquals(first, again);
    }

    @Test
    void twoYearsEndOnTheReferenceDate() throws Exception {
        Path out = tmp.resolve("long");
        DemoGenerator.Summary summary = generate(3, 200, 24, out);
        long start = LocalDate.of(2024, 11, 1)
                .atStartOfDay()
                .toInstant(TimeFrame.ZONE)
                .toEpochMilli();
        long end = DemoGenerator.DEFAULT_REFERENCE
                .atStartOfDay()
                .toInstant(TimeFrame.ZONE)
                .toEpochMilli();
        long earliest = Long.MAX_VALUE;
        try (var lines = Files.lines(out.resolve(DemoGenerator.EVENTS))) {
            for (String line : (Iterable<String>) lines::iterator) {
                int at = line.lastIndexOf("\"timestamp\":\"") + 13;
                long t = OffsetDateTime.parse(line.substring(at, line.indexOf('"', at)))
                        .toInstant()
                        .toEpochMilli();
                assertTrue(t >= start && t < end, line);
                earliest = Math.min(earliest, t);
            }
        }
        assertTrue(earliest < start + 60 * TimeFrame.DAY, "the history starts near the start of the window");
        assertTrue(summary.events() > 200 * 20);
    }

    @Test
    void argumentsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DemoGenerator.Options(1, 0, 12, null));
        assertThrows(IllegalArgumentException.class, () -> new DemoGenerator.Options(1, 10, 0, null));
    }

    private static DemoGenerator.Summary generate(long seed, int consumers, int months, Path out) throws Exception {
        return new DemoGenerator(new DemoGenerator.Options(seed, consumers, months, null))
                .writeFiles(out, DemoGenerator.Progress.NONE);
    }
}
