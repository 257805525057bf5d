package io.strata.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * Sends Segment calls (JSON text) through ingestion's {@code /v1/batch}: batches of at most
 * {@code batchSize} calls and 450 KB, {@code parallel} requests in flight and one batch being
 * filled (so memory stays bounded whatever the source), transport errors retried, 429/503 waited
 * out as {@code Retry-After} says for up to {@link #PATIENCE}, refusals mapped back to the
 * caller's line numbers. Whatever stops a batch stops the sending: no batch is lost unreported.
 */
final class BatchSender implements AutoCloseable {

    static final int MAX_LISTED = 20;
    /** Below ingestion's 500 KB per request, in UTF-8 bytes. */
    private static final int MAX_BATCH_BYTES = 450_000;
    /** How long a batch waits out 429/503 answers before the sending stops. */
    static final Duration PATIENCE = Duration.ofMinutes(2);

    private final URI url;
    private final String authorization;
    private final int batchSize;
    private final int parallel;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Semaphore slots;
    private final ExecutorService senders;
    private final AtomicReference<Aborted> aborted = new AtomicReference<>();
    private final Summary summary = new Summary();
    private Batch batch;

    /** Calls waiting to be sent, with the line each came from. */
    private static final class Batch {
        final List<String> events = new ArrayList<>();
        final List<Long> lines = new ArrayList<>();
        long bytes;
    }

    BatchSender(URI url, String writeKey, int batchSize, int parallel) {
        this.url = url;
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        this.batchSize = batchSize;
        this.parallel = parallel;
        this.slots = new Semaphore(parallel);
        this.senders = Executors.newFixedThreadPool(parallel);
        this.batch = new Batch();
    }

    Summary summary() {
        return summary;
    }

    /** A row the caller could not make into a call: counted and listed, not sent. */
    void refuse(long line, String reason) {
        summary.rows++;
        summary.refuse(line, reason);
    }

    /**
     * Queues one call; blocks while {@code parallel} batches are in flight.
     *
     * @throws Aborted when an earlier batch stopped the sending
     */
    void add(long line, String event) throws InterruptedException {
        failIfAborted();
        summary.rows++;
        int bytes = utf8Length(event);
        if (!batch.events.isEmpty() && (batch.events.size() == batchSize || batch.bytes + bytes > MAX_BATCH_BYTES)) {
            submit(batch);
            batch = new Batch();
        }
        batch.events.add(event);
        batch.lines.add(line);
        batch.bytes += bytes;
    }

    /**
     * Sends what is left and waits for every answer.
     *
     * @throws Aborted when a batch stopped the sending
     */
    void finish() throws InterruptedException {
        if (!batch.events.isEmpty() && aborted.get() == null) {
            submit(batch);
            batch = new Batch();
        }
        slots.acquire(parallel);
        slots.release(parallel);
        failIfAborted();
    }

    /**
     * Sends what is left, waits for every answer, and reports what became of the calls.
     *
     * @param what what the calls are, for the summary line ("calls made from the file")
     * @return the exit status: 0 when all were accepted, 3 when some were refused
     * @throws Aborted when a batch stopped the sending
     */
    int finish(Progress progress, PrintStream out, String what) throws InterruptedException {
        finish();
        progress.done(summary);
        summary.report(out, what);
        return summary.refused == 0 ? 0 : 3;
    }

    /** Reports a stop on stderr and what was sent until then: exit status 1. */
    int stopped(String command, Aborted stop, PrintStream out, String what) {
        System.err.println();
        System.err.println(command + ": stopped: " + stop.getMessage());
        summary.report(out, what);
        return 1;
    }

    @Override
    public void close() {
        senders.shutdownNow();
    }

    private void failIfAborted() {
        Aborted stop = aborted.get();
        if (stop != null) {
            throw stop;
        }
    }

    private void submit(Batch full) throws InterruptedException {
        slots.acquire();
        senders.execute(() -> {
            try {
                send(full);
            } catch (Aborted e) {
                aborted.compareAndSet(null, e);
            } catch (IOException e) {
                aborted.compareAndSet(null, new Aborted("ingestion's answer cannot be read: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                aborted.compareAndSet(null, new Aborted("a batch could not be sent: " + e));
            } finally {
                slots.release();
            }
        });
    }

    /** Sends one batch, waiting out 429/503 as the server asks; maps refusals back to lines. */
    private void send(Batch full) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder((int) full.bytes + 16 + full.events.size()).append("{\"batch\":[");
        for (int i = 0; i < full.events.size(); i++) {
            body.append(i == 0 ? "" : ",").append(full.events.get(i));
        }
        body.append("]}");
        long giveUp = System.nanoTime() + PATIENCE.toNanos();
        for (int attempt = 1; ; attempt++) {
            HttpRequest request = HttpRequest.newBuilder(url.resolve("/v1/batch"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .header("Authorization", authorization)
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt >= 5) {
                    throw new Aborted("ingestion does not answer at " + url + ": " + e.getMessage());
                }
                Thread.sleep(1000L * attempt);
                continue;
            }
            int status = response.statusCode();
            if (status == 429 || status == 503) {
                if (System.nanoTime() > giveUp) {
                    throw new Aborted("ingestion kept answering " + status + " for " + PATIENCE.toMinutes() + " min");
                }
                long wait = response.headers()
                        .firstValue("Retry-After")
                        .map(BatchSender::seconds)
                        .orElse(2L);
                Thread.sleep(Math.clamp(wait, 1, 5) * 1000);
                continue;
            }
            if (status == 401) {
                throw new Aborted("the write key was refused");
            }
            JsonNode result = json.readTree(response.body());
            if (status != 200 && status != 400 || !result.has("rejected") && status == 400) {
                throw new Aborted("ingestion answered " + status + ": "
                        + result.path("detail").asText(response.body()));
            }
            summary.add(
                    result.path("accepted").asLong(), result.path("duplicates").asLong());
            for (JsonNode rejection : result.path("rejected")) {
                long line = full.lines.get(rejection.path("index").asInt());
                String field = rejection.path("field").asText("");
                summary.refuse(
                        line,
                        (field.isEmpty() ? "" : field + ": ")
                                + rejection.path("reason").asText());
            }
            return;
        }
    }

    private static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException e) {
            return 2; // an HTTP date, or nonsense: wait a little
        }
    }

    /** The length of the text in UTF-8, without encoding it. */
    static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Counts of what became of the calls; updated by the senders concurrently. */
    static final class Summary {
        volatile long rows;
        volatile long accepted;
        long duplicates;
        volatile long refused;
        final List<String> refusals = new ArrayList<>();

        synchronized void add(long acceptedNow, long duplicatesNow) {
            accepted += acceptedNow;
            duplicates += duplicatesNow;
        }

        synchronized void refuse(long line, String reason) {
            refused++;
            if (refusals.size() < MAX_LISTED) {
                refusals.add((line > 0 ? "line " + line : "file") + ": " + reason);
            }
        }

        /** The summary line ({@code what}: "calls made from the file", "events generated") and the refusals. */
        void report(PrintStream out, String what) {
            out.printf(
                    Locale.ROOT,
                    "%,d %s: %,d accepted, %,d repeated within a request, %,d refused%n",
                    rows,
                    what,
                    accepted,
                    duplicates,
                    refused);
            out.println("  (events sent before, within 24 h, are accepted and then dropped by dedup-service:"
                    + " importing again publishes nothing twice)");
            refusals.forEach(r -> out.println("  " + r));
            if (refused > refusals.size()) {
                out.printf(Locale.ROOT, "  ... and %,d more%n", refused - refusals.size());
            }
        }
    }

    /** A stop the user must hear about (nothing after the last summary line was sent). */
    static final class Aborted extends RuntimeException {
        Aborted(String message) {
            super(message);
        }
    }

    /**
     * A progress bar on stderr with the rate and the time left: in place on a terminal, every few
     * seconds otherwise.
     */
    static final class Progress {
        private static final int WIDTH = 24;
        private final DoubleSupplier done;
        private final String unit;
        private final boolean sending;
        private final long start = System.nanoTime();
        private final boolean terminal = System.console() != null;
        private long shown = start;

        /**
         * @param done the share of the work done, 0 to 1
         * @param unit what is counted ("calls", "events")
         * @param sending whether ingestion's answers (accepted, refused) are shown
         */
        Progress(DoubleSupplier done, String unit, boolean sending) {
            this.done = done;
            this.unit = unit;
            this.sending = sending;
        }

        void show(Summary summary) {
            long now = System.nanoTime();
            if (now - shown < (terminal ? 250_000_000L : 5_000_000_000L)) {
                return;
            }
            shown = now;
            print(summary, false);
        }

        void done(Summary summary) {
            print(summary, true);
        }

        private void print(Summary summary, boolean last) {
            double seconds = Math.max(0.001, (System.nanoTime() - start) / 1e9);
            double fraction = last ? 1 : Math.max(0, Math.min(1, done.getAsDouble()));
            double rate = summary.rows / seconds;
            long eta = fraction > 0 ? Math.round(seconds / fraction - seconds) : 0;
            int filled = (int) Math.round(fraction * WIDTH);
            String line = String.format(
                    Locale.ROOT,
                    "[%s%s] %5.1f%% %,d %s  %,.0f %s/s  %s%s",
                    "#".repeat(filled),
                    ".".repeat(WIDTH - filled),
                    fraction * 100,
                    summary.rows,
                    unit,
                    rate,
                    unit,
                    sending
                            ? String.format(
                                    Locale.ROOT, "%,d accepted  %,d refused  ", summary.accepted, summary.refused)
                            : "",
                    last ? String.format(Locale.ROOT, "done in %.1f s", seconds) : "ETA " + eta + " s");
            System.err.print(terminal ? "\r" + line + (last ? "\n" : "") : line + "\n");
        }
    }
}
