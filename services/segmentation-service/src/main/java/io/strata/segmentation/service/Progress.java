package io.strata.segmentation.service;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What one thread is working on and when it last moved on, for a watchdog on other threads: work
 * that makes no progress for longer than a limit is stuck. The working thread calls {@link #run}
 * (nested calls count as one piece of work) and {@link #progress} as it moves on; any thread may
 * ask {@link #stuck}.
 */
final class Progress {

    private final LongSupplier nanoTime;
    /** Nested pieces of work (the working thread's only). */
    private int depth;

    private volatile boolean busy;
    private volatile String doing = "idle";
    private volatile long movedAt;

    Progress(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.movedAt = nanoTime.getAsLong();
    }

    /** Runs a piece of work, {@code what} until the work says otherwise. */
    void run(String what, Runnable work) {
        if (depth++ == 0) {
            progress(what);
            busy = true;
        }
        try {
            work.run();
        } finally {
            if (--depth == 0) {
                busy = false;
                doing = "idle";
            }
        }
    }

    /** The work moves on to {@code what}. */
    void progress(String what) {
        doing = what;
        movedAt = nanoTime.getAsLong();
    }

    /** The work that has not moved on for longer than {@code limit}, and for how long; empty when none. */
    Optional<String> stuck(Duration limit) {
        if (!busy) { // read first: work that starts after this read sets movedAt before busy
            return Optional.empty();
        }
        long stalled = nanoTime.getAsLong() - movedAt;
        if (stalled <= limit.toNanos()) {
            return Optional.empty();
        }
        return Optional.of(doing + ", for " + Duration.ofNanos(stalled).toSeconds() + " s");
    }

    /** Seconds since the current work last moved on; 0 when idle. */
    double seconds() {
        return busy ? (nanoTime.getAsLong() - movedAt) / 1e9 : 0;
    }
}
