package io.strata.gateway.rest;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Multi;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.ingestion.v1.HistoryImportService;
import io.strata.proto.ingestion.v1.ImportHeader;
import io.strata.proto.ingestion.v1.ImportHistoryRequest;
import io.strata.proto.ingestion.v1.ImportHistoryResponse;
import io.strata.proto.ingestion.v1.ImportProgress;
import io.strata.proto.ingestion.v1.ImportSummary;
import io.strata.proto.ingestion.v1.RowRejection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stands in for ingestion-service's import: the header's source must be the tenant's (as the
 * fake source administration knows them); every line of the file is a row, the second one is
 * rejected.
 */
@GrpcService
public class FakeHistoryImportGrpcService implements HistoryImportService {

    private final FakeSourceAdminGrpcService sources;
    private final Access access;
    private final CurrentIdentityAssociation identity;

    public FakeHistoryImportGrpcService(
            @GrpcService FakeSourceAdminGrpcService sources, Access access, CurrentIdentityAssociation identity) {
        this.sources = sources;
        this.access = access;
        this.identity = identity;
    }

    @Override
    public Multi<ImportHistoryResponse> importHistory(Multi<ImportHistoryRequest> requests) {
        Access.Call call = access.call(identity.getDeferredIdentity());
        AtomicReference<ImportHeader> header = new AtomicReference<>();
        AtomicLong bytes = new AtomicLong();
        AtomicLong lines = new AtomicLong();
        return requests.onItem()
                .transformToUniAndConcatenate(request -> {
                    if (request.hasHeader()) {
                        header.set(request.getHeader());
                        return call.forUser(request.getHeader().getTenant(), Roles.ADMIN)
                                .chain(caller -> sources.owned(
                                        request.getHeader().getTenant(),
                                        request.getHeader().getSourceId()))
                                .replaceWith((ImportHistoryResponse) null);
                    }
                    if (header.get() == null) {
                        return io.smallrye.mutiny.Uni.createFrom()
                                .<ImportHistoryResponse>failure(Status.INVALID_ARGUMENT
                                        .withDescription("header: first")
                                        .asRuntimeException());
                    }
                    long total = bytes.addAndGet(request.getChunk().size());
                    for (byte b : request.getChunk().toByteArray()) {
                        if (b == '\n') {
                            lines.incrementAndGet();
                        }
                    }
                    return io.smallrye.mutiny.Uni.createFrom()
                            .item(ImportHistoryResponse.newBuilder()
                                    .setProgress(ImportProgress.newBuilder()
                                            .setBytesConsumed(total)
                                            .setRows(lines.get()))
                                    .build());
                })
                .onCompletion()
                .switchTo(() -> Multi.createFrom()
                        .item(ImportHistoryResponse.newBuilder()
                                .setSummary(ImportSummary.newBuilder()
                                        .setBytes(bytes.get())
                                        .setRows(lines.get())
                                        .setAccepted(Math.max(0, lines.get() - 1))
                                        .setRejectedRows(lines.get() > 1 ? 1 : 0)
                                        .addAllRejections(
                                                lines.get() > 1
                                                        ? java.util.List.of(RowRejection.newBuilder()
                                                                .setLine(2)
                                                                .setField("event")
                                                                .setReason("event is required")
                                                                .build())
                                                        : java.util.List.of()))
                                .build()));
    }
}
