package io.strata.gateway.client;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.smallrye.mutiny.Uni;
import io.strata.proto.common.v1.PageRequest;
import io.strata.proto.ingestion.v1.CreateSourceRequest;
import io.strata.proto.ingestion.v1.CreateSourceResponse;
import io.strata.proto.ingestion.v1.ListSourcesRequest;
import io.strata.proto.ingestion.v1.ListSourcesResponse;
import io.strata.proto.ingestion.v1.RevokeSourceRequest;
import io.strata.proto.ingestion.v1.RevokeSourceResponse;
import io.strata.proto.ingestion.v1.RotateWriteKeyRequest;
import io.strata.proto.ingestion.v1.RotateWriteKeyResponse;
import io.strata.proto.ingestion.v1.SourceAdminService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** ingestion-service's source administration over gRPC, always for one tenant. */
@ApplicationScoped
public class SourceAdminClient {

    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private final SourceAdminService sources;
    private final ServiceTokens tokens;

    public SourceAdminClient(@GrpcClient("ingestion") SourceAdminService sources, ServiceTokens tokens) {
        this.sources = sources;
        this.tokens = tokens;
    }

    /** The stub with the gateway's service token attached. */
    private Uni<SourceAdminService> authorized() {
        return tokens.metadata().map(metadata -> GrpcClientUtils.attachHeaders(sources, metadata));
    }

    public Uni<CreateSourceResponse> create(String tenant, String name, int rateLimitPerSecond) {
        return authorized()
                .chain(s -> s.createSource(CreateSourceRequest.newBuilder()
                        .setTenant(tenant)
                        .setName(name)
                        .setRateLimitPerSecond(rateLimitPerSecond)
                        .build()))
                .ifNoItem()
                .after(DEADLINE)
                .fail();
    }

    public Uni<ListSourcesResponse> list(String tenant, int pageSize, String cursor) {
        return authorized()
                .chain(s -> s.listSources(ListSourcesRequest.newBuilder()
                        .setTenant(tenant)
                        .setPage(PageRequest.newBuilder().setPageSize(pageSize).setPageToken(cursor))
                        .build()))
                .ifNoItem()
                .after(DEADLINE)
                .fail();
    }

    public Uni<RotateWriteKeyResponse> rotate(String tenant, String id) {
        return authorized()
                .chain(s -> s.rotateWriteKey(RotateWriteKeyRequest.newBuilder()
                        .setTenant(tenant)
                        .setSourceId(id)
                        .build()))
                .ifNoItem()
                .after(DEADLINE)
                .fail();
    }

    public Uni<RevokeSourceResponse> revoke(String tenant, String id) {
        return authorized()
                .chain(s -> s.revokeSource(RevokeSourceRequest.newBuilder()
                        .setTenant(tenant)
                        .setSourceId(id)
                        .build()))
                .ifNoItem()
                .after(DEADLINE)
                .fail();
    }
}
