package io.strata.ingestion.grpc;

import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.strata.imports.ImportFormat;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.service.HistoryImporter;
import io.strata.ingestion.service.SourceService;
import io.strata.platform.errors.Errors;
import io.strata.platform.logging.LogSafe;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.ingestion.v1.HistoryImportService;
import io.strata.proto.ingestion.v1.ImportHeader;
import io.strata.proto.ingestion.v1.ImportHistoryRequest;
import io.strata.proto.ingestion.v1.ImportHistoryResponse;
import io.strata.proto.ingestion.v1.ImportProgress;
import io.strata.proto.ingestion.v1.ImportSummary;
import io.strata.proto.ingestion.v1.RowRejection;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Bulk import of history, called by the gateway for a signed-in administrator (services/platform
 * {@link Access}: the header's tenant must be the user's). The file streams through a
 * {@link ChunkPipe} into {@link HistoryImporter} on a thread of the importer's own; progress goes
 * back as the file is consumed, so the caller can bound what it sends ahead. An import holds one of
 * its tenant's import slots until its summary.
 */
@GrpcService
// no @RolesAllowed: on a bidirectional stream it would hold the messages until the lazily verified
// token is checked; Access checks the same (a service token, role strata-service) at the header
public class HistoryImportGrpcService implements HistoryImportService {

    private static final Logger LOG = Logger.getLogger(HistoryImportGrpcService.class);

    private final SourceService sources;
    private final HistoryImporter importer;
    private final Access access;
    private final CurrentIdentityAssociation identity;
    private final IngestionConfig.Imports config;

    public HistoryImportGrpcService(
            SourceService sources,
            HistoryImporter importer,
            Access access,
            CurrentIdentityAssociation identity,
            IngestionConfig config) {
        this.sources = sources;
        this.importer = importer;
        this.access = access;
        this.identity = identity;
        this.config = config.imports();
    }

    /** The header, checked. */
    record Header(String tenant, UUID sourceId, ImportFormat format, ZoneOffset zone) {}

    @Override
    public Multi<ImportHistoryResponse> importHistory(Multi<ImportHistoryRequest> requests) {
        // the call's credentials are read now; the tenant to check them against comes with the header
        Access.Call call = access.call(identity.getDeferredIdentity());
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<ChunkPipe> pipe = new AtomicReference<>();
            // a caller gone (cancelled, disconnected, past its deadline) stops the reader at its next chunk
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
                                    start(call, request, pipe, emitter);
                                } else if (request.hasChunk()) {
                                    current.offer(request.getChunk());
                                } else if (request.hasHeader()) {
                                    current.fail(new IllegalStateException("a second header"));
                                    emitter.fail(Errors.invalid("header", "only the first message is the header"));
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
                                    emitter.fail(Errors.invalid("header", "the stream is empty"));
                                }
                            });
        });
    }

    /** The first message: the header checked, the caller's rights, the source, a slot; then the reader. */
    private void start(
            Access.Call call,
            ImportHistoryRequest request,
            AtomicReference<ChunkPipe> pipe,
            MultiEmitter<? super ImportHistoryResponse> emitter) {
        Header header;
        try {
            header = header(request);
        } catch (RuntimeException e) {
            refuse(pipe, emitter, e);
            return;
        }
        AtomicReference<HistoryImporter.Summary> latest = new AtomicReference<>(new HistoryImporter.Summary());
        ChunkPipe file = new ChunkPipe(
                config.maxBuffered(),
                config.idleTimeout().toMillis(),
                consumed -> emitter.emit(progress(consumed, latest.get())));
        pipe.set(file);
        call.forUser(header.tenant(), Roles.ADMIN)
                .chain(caller -> sources.active(header.tenant(), header.sourceId()))
                .chain(source -> Uni.createFrom().item(() -> new Started(source, importer.claim(source.tenant()))))
                .subscribe()
                .with(
                        started -> importer.executor().execute(() -> run(started, header, file, latest, emitter)),
                        failure -> {
                            file.fail(failure);
                            emitter.fail(GrpcErrors.toStatus(failure));
                        });
    }

    private record Started(Source source, HistoryImporter.Slot slot) {}

    private void refuse(
            AtomicReference<ChunkPipe> pipe, MultiEmitter<? super ImportHistoryResponse> emitter, RuntimeException e) {
        ChunkPipe refused = new ChunkPipe(0, 0, consumed -> {});
        refused.fail(e); // what follows the bad header is dropped
        pipe.set(refused);
        emitter.fail(GrpcErrors.toStatus(e));
    }

    private void run(
            Started started,
            Header header,
            ChunkPipe file,
            AtomicReference<HistoryImporter.Summary> latest,
            MultiEmitter<? super ImportHistoryResponse> emitter) {
        try (HistoryImporter.Slot slot = started.slot()) {
            file.deadline(Duration.between(Instant.now(), slot.deadline()), importer::pastDeadline);
            HistoryImporter.Summary summary =
                    importer.run(slot, started.source(), header.format(), header.zone(), file, stored -> {
                        latest.set(stored);
                        // after every batch too: a slowly limited source may take minutes per chunk,
                        // and the caller gives up an import it hears nothing of
                        emitter.emit(progress(file.total(), stored));
                    });
            emitter.emit(ImportHistoryResponse.newBuilder()
                    .setSummary(summary(file.total(), summary))
                    .build());
            emitter.complete();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            emitter.fail(io.grpc.Status.CANCELLED
                    .withDescription("the import was interrupted")
                    .asRuntimeException());
        } catch (IOException e) {
            LOG.infof("import into source %s stopped: %s", started.source().id(), LogSafe.text(e.getMessage()));
            emitter.fail(readFailure(e));
        } catch (RuntimeException e) {
            emitter.fail(GrpcErrors.toStatus(e));
        }
    }

    /**
     * A stream that broke is the caller's doing (CANCELLED); anything else the reader could not get
     * through, e.g. a truncated gzip, is the file's (INVALID_ARGUMENT naming it).
     */
    static StatusRuntimeException readFailure(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ChunkPipe.Broken) {
                return io.grpc.Status.CANCELLED
                        .withDescription("file: " + t.getMessage())
                        .asRuntimeException();
            }
        }
        return Errors.invalid("file", "the file cannot be read: " + e.getMessage());
    }

    Header header(ImportHistoryRequest request) {
        if (!request.hasHeader()) {
            throw Errors.invalid("header", "the first message must be the header");
        }
        ImportHeader header = request.getHeader();
        if (header.getTenant().isBlank()) {
            throw Errors.invalid("header.tenant", "tenant is required");
        }
        UUID sourceId;
        try {
            sourceId = UUID.fromString(header.getSourceId());
        } catch (IllegalArgumentException e) {
            throw Errors.invalid("header.source_id", "not a source id: " + header.getSourceId());
        }
        ImportFormat format = switch (header.getFormat()) {
            case IMPORT_FORMAT_CSV -> ImportFormat.CSV;
            case IMPORT_FORMAT_JSONL -> ImportFormat.JSONL;
            default -> throw Errors.invalid("header.format", "csv or jsonl is required");
        };
        ZoneOffset zone;
        try {
            zone = header.getZone().isEmpty() ? config.defaultZone() : ZoneOffset.of(header.getZone());
        } catch (DateTimeException e) {
            throw Errors.invalid("header.zone", "an offset such as +08:00 is required, not " + header.getZone());
        }
        return new Header(header.getTenant(), sourceId, format, zone);
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
