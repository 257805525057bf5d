package io.strata.tools;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

import io.strata.imports.ImportFormat;
import io.strata.imports.ImportRow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Bulk import of history: streams a CSV of orders or a JSONL of Segment calls (plain or .gz,
 * any size, constant memory) into ingestion's batch API, keeping the original timestamps, with
 * a progress display and a summary of the refused rows by line number.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a CSV of orders or a JSONL of Segment calls through ingestion.")
public final class ImportCommand implements Callable<Integer> {

    enum Format { csv, jsonl }

    private static final int MAX_LISTED = 20;

    @Parameters(index = "0", description = "the file (.gz is read compressed)")
    Path file;

    @Option(names = "--format", description = "csv or jsonl (default: from the file name)")
    Format format;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8081", description = "ingestion (default ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--write-key", required = true, description = "the write key of the source the history belongs to")
    String writeKey;

    @Option(names = "--zone", defaultValue = "+08:00", description = "offset of local times in a CSV (default ${DEFAULT-VALUE})")
    String zone;

    @Option(names = "--batch-size", defaultValue = "500", description = "events per request (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--parallel", defaultValue = "4", description = "requests in flight (default ${DEFAULT-VALUE})")
    int parallel;

    private final ObjectMapper json = new ObjectMapper();
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private HttpClient http;
    private String authorization;

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
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            err.println("import: no such file: " + file);
            return 2;
        }
        Format fmt = format != null ? format : guess(file);
        if (fmt == null) {
            err.println("import: say --format csv or --format jsonl (the file name does not tell)");
            return 2;
        }
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        authorization = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        long size = Files.size(file);
        Progress progress = new Progress(size);
        Summary summary = new Summary();
        try (Counting counting = new Counting(Files.newInputStream(file))) {
            Iterator<ImportRow> rows;
            try {
                rows = (fmt == Format.csv ? ImportFormat.CSV : ImportFormat.JSONL).rows(counting, json, ZoneOffset.of(zone));
            } catch (IllegalArgumentException e) {
                err.println("import: " + e.getMessage());
                return 2;
            }
            // at most `parallel` batches in flight, one being filled: memory stays bounded
            Semaphore slots = new Semaphore(parallel);
            ExecutorService senders = Executors.newFixedThreadPool(parallel);
            AtomicReference<ImportAborted> aborted = new AtomicReference<>();
            try {
                List<ImportRow> batch = new ArrayList<>(batchSize);
                long batchBytes = 0;
                while (rows.hasNext() && aborted.get() == null) {
                    ImportRow row = rows.next();
                    summary.rows++;
                    if (row.error() != null) {
                        summary.refuse(row.line(), row.error());
                        continue;
                    }
                    long bytes = row.event().toString().length();
                    if (!batch.isEmpty() && (batch.size() == batchSize || batchBytes + bytes > 450_000)) {
                        submit(batch, summary, slots, senders, aborted);
                        batch = new ArrayList<>(batchSize);
                        batchBytes = 0;
                    }
                    batch.add(row);
                    batchBytes += bytes;
                    progress.show(counting.count, summary);
                }
                if (!batch.isEmpty() && aborted.get() == null) {
                    submit(batch, summary, slots, senders, aborted);
                }
                slots.acquire(parallel); // every batch answered
            } finally {
                senders.shutdownNow();
            }
            if (aborted.get() != null) {
                throw aborted.get();
            }
            progress.done(counting.count, summary);
        } catch (ImportAborted e) {
            err.println();
            err.println("import: stopped: " + e.getMessage());
            report(summary);
            return 1;
        }
        report(summary);
        return summary.refused == 0 ? 0 : 3;
    }

    private void report(Summary summary) {
        out.printf(Locale.ROOT, "%,d calls made from the file: %,d accepted, %,d already imported (duplicates), %,d refused%n",
                summary.rows, summary.accepted, summary.duplicates, summary.refused);
        summary.refusals.forEach(r -> out.println("  " + r));
        if (summary.refused > summary.refusals.size()) {
            out.printf("  ... and %,d more%n", summary.refused - summary.refusals.size());
        }
    }

    private void submit(List<ImportRow> batch, Summary summary, Semaphore slots, ExecutorService senders,
            AtomicReference<ImportAborted> aborted) throws InterruptedException {
        slots.acquire();
        senders.execute(() -> {
            try {
                send(batch, summary);
            } catch (ImportAborted e) {
                aborted.compareAndSet(null, e);
            } catch (IOException e) {
                aborted.compareAndSet(null, new ImportAborted("ingestion's answer cannot be read: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                slots.release();
            }
        });
    }

    /** Sends one batch, waiting out 429/503 as the server asks; maps refusals back to lines. */
    private void send(List<ImportRow> batch, Summary summary) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < batch.size(); i++) {
            body.append(i == 0 ? "" : ",").append(batch.get(i).event().toString());
        }
        body.append("]}");
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
                    throw new ImportAborted("ingestion does not answer at " + url + ": " + e.getMessage());
                }
                Thread.sleep(1000L * attempt);
                continue;
            }
            int status = response.statusCode();
            if (status == 429 || status == 503) {
                long wait = response.headers().firstValueAsLong("Retry-After").orElse(2);
                Thread.sleep(Math.max(1, wait) * 1000);
                continue;
            }
            if (status == 401) {
                throw new ImportAborted("the write key was refused");
            }
            JsonNode result = json.readTree(response.body());
            if (status != 200 && status != 400 || !result.has("rejected") && status == 400) {
                throw new ImportAborted("ingestion answered " + status + ": " + result.path("detail").asText(response.body()));
            }
            summary.add(result.path("accepted").asLong(), result.path("duplicates").asLong());
            for (JsonNode rejection : result.path("rejected")) {
                ImportRow row = batch.get(rejection.path("index").asInt());
                String field = rejection.path("field").asText("");
                summary.refuse(row.line(), (field.isEmpty() ? "" : field + ": ") + rejection.path("reason").asText());
            }
            return;
        }
    }

    private static Format guess(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT).replaceFirst("\\.gz$", "");
        return name.endsWith(".csv") ? Format.csv : name.endsWith(".jsonl") || name.endsWith(".ndjson") ? Format.jsonl : null;
    }

    /** A stop the user must hear about (nothing after the last summary line was sent). */
    static final class ImportAborted extends RuntimeException {
        ImportAborted(String message) {
            super(message);
        }
    }

    /** Bytes read from the file, for the progress display. */
    static final class Counting extends FilterInputStream {
        volatile long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** A progress line on stderr: in place on a terminal, every few seconds otherwise. */
    static final class Progress {
        private final long total;
        private final long start = System.nanoTime();
        private final boolean terminal = System.console() != null;
        private long shown;

        Progress(long total) {
            this.total = total;
        }

        void show(long read, Summary summary) {
            long now = System.nanoTime();
            if (now - shown < (terminal ? 250_000_000L : 5_000_000_000L)) {
                return;
            }
            shown = now;
            print(read, summary, false);
        }

        void done(long read, Summary summary) {
            print(read, summary, true);
        }

        private void print(long read, Summary summary, boolean last) {
            double seconds = Math.max(0.001, (System.nanoTime() - start) / 1e9);
            double fraction = total == 0 ? 1 : Math.min(1, (double) read / total);
            double rate = summary.rows / seconds;
            long eta = fraction > 0 ? Math.round(seconds / fraction - seconds) : 0;
            String line = String.format(Locale.ROOT, "%5.1f%% %,d calls  %,.0f calls/s  %,d accepted  %,d refused  %s",
                    fraction * 100, summary.rows, rate, summary.accepted, summary.refused,
                    last ? String.format(Locale.ROOT, "done in %.1f s", seconds) : "ETA " + eta + " s");
            System.err.print(terminal ? "\r" + line + (last ? "\n" : "") : line + "\n");
        }
    }
}
