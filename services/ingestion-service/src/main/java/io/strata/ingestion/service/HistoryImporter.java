package io.strata.ingestion.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.imports.ImportFormat;
import io.strata.imports.ImportRow;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.IntakeResult;
import io.strata.ingestion.domain.InvalidEventException;
import io.strata.ingestion.domain.Rejection;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.mapping.Candidate;
import io.strata.ingestion.mapping.EventRules;
import io.strata.ingestion.mapping.SegmentEventMapper;
import io.strata.platform.logging.LogSafe;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * Imports a history file into a source: reads it as Segment calls (constant memory, whatever the
 * size), validates them as the HTTP API does and hands them to {@link EventIntake} in batches,
 * waiting out rate limits and short broker outages instead of failing the import. An import holds
 * a slot of its tenant (and of the replica) from its header to its summary, and runs for at most
 * {@code strata.ingestion.imports.max-duration}. Blocking: runs on a thread of its own
 * ({@link #executor()}), never on the event loop or the request worker pool.
 */
@ApplicationScoped
public class HistoryImporter {

    private static final Logger LOG = Logger.getLogger(HistoryImporter.class);

    static final int BATCH = 500;
    static final int LISTED_REJECTIONS = 100;

    private final EventIntake intake;
    private final SourceRateLimiter rateLimiter;
    private final TenantQuotas quotas;
    private final IngestionConfig.Imports config;
    private final int maxEventBytes;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Semaphore running;
    private final Map<String, Integer> perTenant = new HashMap<>();
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("strata-import-", 0).factory());
    private final Clock clock = Clock.systemUTC();

    public HistoryImporter(
            EventIntake intake,
            SourceRateLimiter rateLimiter,
            TenantQuotas quotas,
            IngestionConfig config,
            ObjectMapper json,
            MeterRegistry registry) {
        this.intake = intake;
        this.rateLimiter = rateLimiter;
        this.quotas = quotas;
        this.config = config.imports();
        this.maxEventBytes = config.limits().maxEventBytes();
        this.json = json;
        this.registry = registry;
        this.running = new Semaphore(this.config.maxConcurrent());
    }

    /** A rejected row of the file. */
    public record RowRejection(long line, String messageId, String field, String reason) {}

    /** What became of the file's rows; {@code listed} holds the first {@link #LISTED_REJECTIONS}. */
    public static final class Summary {
        public long rows;
        public long accepted;
        public long duplicates;
        public long rejected;
        public final List<RowRejection> listed = new ArrayList<>();

        void reject(RowRejection rejection) {
            rejected++;
            if (listed.size() < LISTED_REJECTIONS) {
                listed.add(rejection);
            }
        }
    }

    /** Told of the import's progress after every batch. */
    public interface Progress {
        void report(Summary summary);
    }

    /** A place among the imports running; given back by closing it. */
    public final class Slot implements AutoCloseable {
        private final String tenant;
        private final Instant deadline;
        private boolean closed;

        private Slot(String tenant, Instant deadline) {
            this.tenant = tenant;
            this.deadline = deadline;
        }

        /** When the import must have ended. */
        public Instant deadline() {
            return deadline;
        }

        @Override
        public void close() {
            synchronized (HistoryImporter.this) {
                if (closed) {
                    return;
                }
                closed = true;
                perTenant.merge(tenant, -1, Integer::sum);
            }
            running.release();
        }
    }

    /** Where imports run: a thread each, so a long one never holds a pool's thread. */
    public ExecutorService executor() {
        return executor;
    }

    /**
     * A slot for an import of the tenant.
     *
     * @throws IngestionException RESOURCE_EXHAUSTED when the tenant runs its quota of imports,
     *     UNAVAILABLE when the replica runs as many as it may
     */
    public Slot claim(String tenant) {
        int slots = quotas.importSlots(tenant);
        synchronized (this) {
            if (perTenant.getOrDefault(tenant, 0) >= slots) {
                throw IngestionException.overQuota(
                        "the tenant runs " + slots + " imports at once, its quota; retry when one has ended", 30);
            }
            if (!running.tryAcquire()) {
                throw IngestionException.overloaded("too many imports run at once; retry later", 30);
            }
            perTenant.merge(tenant, 1, Integer::sum);
        }
        return new Slot(tenant, clock.instant().plus(config.maxDuration()));
    }

    /**
     * Reads the whole file and returns once every accepted event is stored in Kafka.
     *
     * @throws IngestionException INVALID when the file cannot be read as the format (e.g. a CSV
     *     without the required columns), UNAVAILABLE when the broker stays away longer than the
     *     patience, RESOURCE_EXHAUSTED when the import runs past its longest duration (what was
     *     acknowledged before stays)
     */
    public Summary run(
            Slot slot, Source source, ImportFormat format, ZoneOffset zone, InputStream file, Progress progress)
            throws IOException, InterruptedException {
        try {
            Summary summary = read(slot, source, format, zone, file, progress);
            registry.counter("strata_ingestion_imports_total", "outcome", "completed")
                    .increment();
            LOG.infof(
                    "import into source %s of tenant %s: %d rows, %d accepted, %d duplicates, %d rejected",
                    source.id(),
                    LogSafe.text(source.tenant()),
                    summary.rows,
                    summary.accepted,
                    summary.duplicates,
                    summary.rejected);
            return summary;
        } catch (IOException | RuntimeException | InterruptedException e) {
            registry.counter("strata_ingestion_imports_total", "outcome", "failed")
                    .increment();
            throw e;
        }
    }

    /** An import that ran past its longest duration: what was stored before stays. */
    public IngestionException pastDeadline() {
        return IngestionException.streamLimit("the import ran longer than " + config.maxDuration()
                + "; split the file, or import the rest again (rows stored before are not published twice)");
    }

    /** The offset of a CSV's local times when the caller names none. */
    public ZoneOffset defaultZone() {
        return config.defaultZone();
    }

    @PreDestroy
    void close() {
        executor.shutdownNow();
    }

    private Summary read(
            Slot slot, Source source, ImportFormat format, ZoneOffset zone, InputStream file, Progress progress)
            throws IOException, InterruptedException {
        Iterator<ImportRow> rows;
        try {
            rows = format.rows(file, json, zone);
        } catch (IllegalArgumentException e) {
            throw IngestionException.invalid("file", e.getMessage());
        }
        Summary summary = new Summary();
        // a batch larger than the source's burst would be refused for ever
        int size = (int) Math.max(1, Math.min(BATCH, rateLimiter.capacity(source)));
        List<ImportRow> batch = new ArrayList<>(size);
        try {
            while (rows.hasNext()) {
                batch.add(rows.next());
                if (batch.size() == size) {
                    if (clock.instant().isAfter(slot.deadline)) {
                        throw pastDeadline();
                    }
                    submit(source, batch, summary);
                    batch.clear();
                    progress.report(summary);
                }
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        submit(source, batch, summary);
        return summary;
    }

    private void submit(Source source, List<ImportRow> batch, Summary summary) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        summary.rows += batch.size();
        Instant receivedAt = clock.instant();
        List<Candidate> candidates = new ArrayList<>(batch.size());
        List<RowRejection> rejections = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            ImportRow row = batch.get(i);
            if (row.error() != null) {
                rejections.add(new RowRejection(row.line(), "", "", row.error()));
            } else {
                candidates.add(candidate(i, row.event(), source, receivedAt));
            }
        }
        if (!candidates.isEmpty()) {
            IntakeResult result = acceptPatiently(source, candidates);
            summary.accepted += result.accepted();
            summary.duplicates += result.duplicates();
            for (Rejection r : result.rejected()) {
                rejections.add(new RowRejection(
                        batch.get(r.index()).line(), nonNull(r.messageId()), nonNull(r.field()), r.reason()));
            }
        }
        rejections.sort(Comparator.comparingLong(RowRejection::line));
        rejections.forEach(summary::reject);
    }

    private Candidate candidate(int index, ObjectNode event, Source source, Instant receivedAt) {
        try {
            SegmentEventMapper.Parsed parsed = SegmentEventMapper.parse(
                    SegmentEventMapper.type(event), event, source, receivedAt, SegmentEventMapper.BatchDefaults.NONE);
            EventRules.checkSize(parsed.event(), maxEventBytes);
            return Candidate.valid(index, parsed.event(), parsed.clientMessageId());
        } catch (InvalidEventException e) {
            return Candidate.rejected(index, SegmentEventMapper.messageIdOf(event), e);
        }
    }

    /** Hands the batch over, waiting out rate limits and outages for up to the patience. */
    private IntakeResult acceptPatiently(Source source, List<Candidate> candidates) throws InterruptedException {
        Duration patience = config.patience();
        Instant giveUp = clock.instant().plus(patience);
        while (true) {
            try {
                return intake.accept(source, candidates).await().atMost(patience);
            } catch (io.smallrye.mutiny.TimeoutException e) {
                // Kafka took the whole patience to answer: as unavailable as it gets
                throw IngestionException.unavailable("events cannot be stored right now; retry later", 5);
            } catch (IngestionException e) {
                if (!e.retryable() || clock.instant().isAfter(giveUp)) {
                    throw e;
                }
                // events of the batch already stored go again; dedup-service drops them by messageId
                Thread.sleep(Math.max(100, Math.min(5_000, e.retryAfterSeconds() * 1_000)));
            }
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
