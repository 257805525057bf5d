package io.strata.ingestion.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.strata.imports.ImportFormat;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.service.HistoryImporter;
import io.strata.ingestion.service.SourceService;
import io.strata.proto.ingestion.v1.HistoryImportService;
import io.strata.proto.ingestion.v1.ImportHeader;
import io.strata.proto.ingestion.v1.ImportHistoryRequest;
import io.strata.proto.ingestion.v1.ImportHistoryResponse;
import io.strata.proto.ingestion.v1.ImportProgress;
import io.strata.proto.ingestion.v1.ImportSummary;
import io.strata.proto.ingestion.v1.RowRejection;
import jakarta.annotation.security.RolesAllowed;
import java.time.DateTimeException;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Bulk import of history for the gateway (service token; the tenant is the signed-in
 * administrator's). The file streams through a {@link ChunkPipe} into {@link HistoryImporter} on a
 * worker thread; progress goes back as the file is consumed, so the caller can bound what it sends
 * ahead.
 */
@GrpcService
@RolesAllowed("strata-service")
public class HistoryImportGrpcService implements HistoryImportService {

    private static final Logger LOG = Logger.getLogger(HistoryImportGrpcService.class);

    /** What a caller may send beyond what was read (its window is far smaller). */
    static final long MAX_BUFFERED = 16L << 20;
    /** How long the stream may stay silent before the import is abandoned. */
    static final long IDLE_TIMEOUT_MILLIS = 120_000;

    static final ZoneOffset DEFAULT_ZONE = ZoneOffset.ofHours(8);

    private final SourceService sources;
    private final HistoryImporter importer;

    public HistoryImportGrpcService(SourceService sources, HistoryImporter importer) {
        this.sources = sources;
        this.importer = importer;
    }

    /** The header, checked. */
    record Header(String tenant, UUID sourceId, ImportFormat format, ZoneOffset zone) {}

    @Override
    public Multi<ImportHistoryResponse> importHistory(Multi<ImportHistoryRequest> requests) {
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<ChunkPipe> pipe = new AtomicReference<>();
            // a caller gone (cancelled, disconnected) stops the reader at its next chunk
            emitter.onTermination(() -> {
                ChunkPipe current = pipe.get();
                if (current != null) {
                    current.fail(new IllegalStateException("the call ended"));
                }
            });
            requests.subscribe()
                    .with(
                            request -> {
                                ChunkPipe current = pipe.get();
                                if (current == null) {
                                    Header header;
                                    try {
                                        header = header(request);
                                    } catch (RuntimeException e) {
                                        ChunkPipe refused = new ChunkPipe(0, 0, consumed -> {});
                                        refused.fail(e); // what follows the bad header is dropped
                                        pipe.set(refused);
                                        emitter.fail(GrpcErrors.toStatus(e));
                                        return;
                                    }
                                    AtomicReference<HistoryImporter.Summary> latest =
                                            new AtomicReference<>(new HistoryImporter.Summary());
                                    ChunkPipe started = new ChunkPipe(
                                            MAX_BUFFERED,
                                            IDLE_TIMEOUT_MILLIS,
                                            consumed -> emitter.emit(progress(consumed, latest.get())));
                                    pipe.set(started);
                                    sources.active(header.tenant(), header.sourceId())
                                            .subscribe()
                                            .with(
                                                    source -> Infrastructure.getDefaultWorkerPool()
                                                            .execute(() ->
                                                                    run(source, header, started, latest, emitter)),
                                                    failure -> {
                                                        started.fail(failure);
                                                        emitter.fail(GrpcErrors.toStatus(failure));
                                                    });
                                } else if (request.hasChunk()) {
                                    current.offer(request.getChunk());
                                } else if (request.hasHeader()) {
                                    current.fail(new IllegalStateException("a second header"));
                                    emitter.fail(Status.INVALID_ARGUMENT
                                            .withDescription("header: only the first message is the header")
                                            .asRuntimeException());
                                }
                            },
                            failure -> {
                                ChunkPipe current = pipe.get();
                                if (current != null) {
                                    current.fail(failure);
                                }
                            },
                            () -> {
                                ChunkPipe current = pipe.get();
                                if (current != null) {
                                    current.end();
                                } else {
                                    emitter.fail(Status.INVALID_ARGUMENT
                                            .withDescription("header: the stream is empty")
                                            .asRuntimeException());
                                }
                            });
        });
    }

    private void run(
            Source source,
            Header header,
            ChunkPipe file,
            AtomicReference<HistoryImporter.Summary> latest,
            MultiEmitter<? super ImportHistoryResponse> emitter) {
        try {
            HistoryImporter.Summary summary = importer.run(source, header.format(), header.zone(), file, latest::set);
            emitter.emit(ImportHistoryResponse.newBuilder()
                    .setSummary(summary(file.total(), summary))
                    .build());
            emitter.complete();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            emitter.fail(Status.CANCELLED
                    .withDescription("the import was interrupted")
                    .asRuntimeException());
        } catch (java.io.IOException e) {
            LOG.infof("import into source %s stopped: %s", source.id(), e.getMessage());
            emitter.fail(readFailure(e));
        } catch (RuntimeException e) {
            emitter.fail(GrpcErrors.toStatus(e));
        }
    }

    /**
     * A stream that broke is the caller's doing (CANCELLED); anything else the reader could not get
     * through, e.g. a truncated gzip, is the file's (INVALID_ARGUMENT naming it).
     */
    static StatusRuntimeException readFailure(java.io.IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ChunkPipe.Broken) {
                return Status.CANCELLED
                        .withDescription("file: " + t.getMessage())
                        .asRuntimeException();
            }
        }
        return Status.INVALID_ARGUMENT
                .withDescription("file: the file cannot be read: " + e.getMessage())
                .asRuntimeException();
    }

    static Header header(ImportHistoryRequest request) {
        if (!request.hasHeader()) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("header: the first message must be the header")
                    .asRuntimeException();
        }
        ImportHeader header = request.getHeader();
        if (header.getTenant().isBlank()) {
            throw invalid("header.tenant", "tenant is required");
        }
        UUID sourceId;
        try {
            sourceId = UUID.fromString(header.getSourceId());
        } catch (IllegalArgumentException e) {
            throw invalid("header.source_id", "not a source id: " + header.getSourceId());
        }
        ImportFormat format = switch (header.getFormat()) {
            case IMPORT_FORMAT_CSV -> ImportFormat.CSV;
            case IMPORT_FORMAT_JSONL -> ImportFormat.JSONL;
            default -> throw invalid("header.format", "csv or jsonl is required");
        };
        ZoneOffset zone;
        try {
            zone = header.getZone().isEmpty() ? DEFAULT_ZONE : ZoneOffset.of(header.getZone());
        } catch (DateTimeException e) {
            throw invalid("header.zone", "an offset such as +08:00 is required, not " + header.getZone());
        }
        return new Header(header.getTenant(), sourceId, format, zone);
    }

    private static RuntimeException invalid(String field, String message) {
        return Status.INVALID_ARGUMENT.withDescription(field + ": " + message).asRuntimeException();
    }

    private static ImportHistoryResponse progress(long consumed, HistoryImporter.Summary summary) {
        return ImportHistoryResponse.newBuilder()
                .setProgress(ImportProgress.newBuilder()
                        .setBytesConsumed(consumed)
                        .setRows(summary.rows)
                        .setAccepted(summary.accepted))
                .build();
    }

    private static ImportSummary summary(long bytes, HistoryImporter.Summary summary) {
        ImportSummary.Builder out = ImportSummary.newBuilder()
                .setBytes(bytes)
                .setRows(summary.rows)
                .setAccepted(summary.accepted)
                .setDuplicates(summary.duplicates)
                .setRejectedRows(summary.rejected);
        for (HistoryImporter.RowRejection r : summary.listed) {
            out.addRejections(RowRejection.newBuilder()
                    .setLine(r.line())
                    .setMessageId(r.messageId())
                    .setField(r.field())
                    .setReason(r.reason()));
        }
        return out.build();
    }
}
