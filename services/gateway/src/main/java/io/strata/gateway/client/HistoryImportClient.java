package io.strata.gateway.client;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.security.SignedIn;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.proto.ingestion.v1.ImportFormat;
import io.strata.proto.ingestion.v1.ImportHeader;
import io.strata.proto.ingestion.v1.ImportHistoryRequest;
import io.strata.proto.ingestion.v1.ImportSummary;
import io.strata.proto.ingestion.v1.MutinyHistoryImportServiceGrpc.MutinyHistoryImportServiceStub;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Streams an uploaded history file to ingestion-service's import. At most {@link #WINDOW} bytes
 * travel ahead of what ingestion has read, so a file of any size passes in constant memory, at
 * the pace ingestion takes it.
 */
@ApplicationScoped
public class HistoryImportClient {

    static final int CHUNK = 64 * 1024;
    static final long WINDOW = 16L * CHUNK;
    /**
     * How long ingestion may report no progress before the import is given up: it reports after
     * every chunk it read and every batch it stored, so silence this long means it is stuck.
     */
    static final Duration STALL = Duration.ofMinutes(3);

    private final MutinyHistoryImportServiceStub imports;
    private final long deadlineMillis;

    public HistoryImportClient(@GrpcClient("ingestion") MutinyHistoryImportServiceStub imports, GatewayConfig config) {
        this.imports = imports;
        this.deadlineMillis = config.calls().importDeadline().toMillis();
    }

    /**
     * Blocking (a worker thread): sends the file and returns ingestion's summary once every
     * accepted event is stored.
     *
     * @throws StatusRuntimeException as ingestion refused or failed the import
     * @throws IOException when the upload itself breaks
     */
    public ImportSummary importFile(SignedIn user, String sourceId, ImportFormat format, String zone, InputStream file)
            throws IOException, InterruptedException {
        MutinyHistoryImportServiceStub stub = imports.withOption(ServiceCallInterceptor.FOR_USER, user.token())
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
        Window window = new Window(STALL);
        CompletableFuture<ImportSummary> result = new CompletableFuture<>();
        UnicastProcessor<ImportHistoryRequest> requests = UnicastProcessor.create();
        stub.importHistory(requests)
                .subscribe()
                .with(
                        answer -> {
                            if (answer.hasProgress()) {
                                window.acknowledge(answer.getProgress().getBytesConsumed());
                            } else if (answer.hasSummary()) {
                                result.complete(answer.getSummary());
                            }
                        },
                        failure -> {
                            result.completeExceptionally(failure);
                            window.close();
                        },
                        () -> {
                            result.completeExceptionally(Status.INTERNAL
                                    .withDescription("the import ended without a summary")
                                    .asRuntimeException());
                            window.close();
                        });

        requests.onNext(ImportHistoryRequest.newBuilder()
                .setHeader(ImportHeader.newBuilder()
                        .setTenant(user.tenant())
                        .setSourceId(sourceId)
                        .setFormat(format)
                        .setZone(zone))
                .build());
        byte[] buffer = new byte[CHUNK];
        long sent = 0;
        try {
            for (int n = file.readNBytes(buffer, 0, CHUNK); n > 0; n = file.readNBytes(buffer, 0, CHUNK)) {
                if (!window.awaitRoom(sent + n)) {
                    break; // ingestion ended the call: the result says why
                }
                requests.onNext(ImportHistoryRequest.newBuilder()
                        .setChunk(ByteString.copyFrom(buffer, 0, n))
                        .build());
                sent += n;
            }
            requests.onComplete();
        } catch (IOException | InterruptedException | RuntimeException e) {
            requests.onError(e);
            throw e;
        }
        try {
            // after the last byte ingestion has at most the window to read and its events to store;
            // it reports progress as it goes, and the call's deadline bounds the whole
            while (true) {
                try {
                    return result.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    if (window.stalled()) {
                        requests.onError(e);
                        throw Status.DEADLINE_EXCEEDED
                                .withDescription("ingestion reported no progress of the import for " + STALL.toMinutes()
                                        + " min")
                                .asRuntimeException();
                    }
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The bytes ingestion has read, and waiting until a chunk may go. */
    static final class Window {
        private final long stallNanos;
        private long acknowledged;
        private boolean closed;
        private long lastProgress = System.nanoTime();

        Window(Duration stall) {
            this.stallNanos = stall.toNanos();
        }

        /** Any progress ingestion reports, whether or not it read more bytes. */
        synchronized void acknowledge(long bytes) {
            acknowledged = Math.max(acknowledged, bytes);
            lastProgress = System.nanoTime();
            notifyAll();
        }

        /** No progress reported for the stall time. */
        synchronized boolean stalled() {
            return System.nanoTime() - lastProgress > stallNanos;
        }

        synchronized void close() {
            closed = true;
            notifyAll();
        }

        /** Waits until {@code upTo} bytes would be within the window; false once the call ended. */
        synchronized boolean awaitRoom(long upTo) throws InterruptedException {
            while (!closed && upTo - acknowledged > WINDOW) {
                long left = lastProgress + stallNanos - System.nanoTime();
                if (left <= 0) {
                    throw Status.DEADLINE_EXCEEDED
                            .withDescription("ingestion reported no progress of the import for "
                                    + Duration.ofNanos(stallNanos).toSeconds() + " s")
                            .asRuntimeException();
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return !closed;
        }
    }
}
