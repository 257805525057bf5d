package io.strata.segmentation.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The watchdog's view of the engine's thread: stuck only while busy without progress past the limit. */
class ProgressTest {

    private static final Duration LIMIT = Duration.ofMinutes(15);

    private final AtomicLong now = new AtomicLong(1_000);
    private final Progress progress = new Progress(now::get);

    private void pass(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    @Test
    void workThatDoesNotMoveOnPastTheLimitIsStuckAndSaysWhatItIs() {
        Optional<String>[] seen = new Optional[3];
        progress.run("a write", () -> {
            progress.progress("evaluating audience vip on partition 2");
            pass(LIMIT);
            seen[0] = progress.stuck(LIMIT);
            pass(Duration.ofSeconds(1));
            seen[1] = progress.stuck(LIMIT);
            progress.progress("evaluating audience churn on partition 2");
            seen[2] = progress.stuck(LIMIT);
        });

        assertEquals(Optional.empty(), seen[0], "at the limit: not yet");
        assertEquals(Optional.of("evaluating audience vip on partition 2, for 901 s"), seen[1]);
        assertEquals(Optional.empty(), seen[2], "it moved on");
    }

    @Test
    void anIdleThreadIsNeverStuckAndNestedWorkIsOnePiece() {
        pass(Duration.ofHours(2));
        assertEquals(Optional.empty(), progress.stuck(LIMIT), "idle for hours: waiting for the feed");

        Optional<String>[] inner = new Optional[1];
        progress.run("applying records", () -> {
            progress.run("a nested write", () -> {});
            pass(Duration.ofMinutes(16));
            inner[0] = progress.stuck(LIMIT);
        });

        assertEquals(Optional.of("applying records, for 960 s"), inner[0]);
        assertEquals(Optional.empty(), progress.stuck(LIMIT));
        assertEquals(0.0, progress.seconds());
    }
}
