package io.strata.gateway.client;

import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.security.SignedIn;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.proto.common.v1.PageRequest;
import io.strata.proto.ingestion.v1.CreateSourceRequest;
import io.strata.proto.ingestion.v1.CreateSourceResponse;
import io.strata.proto.ingestion.v1.ListSourcesRequest;
import io.strata.proto.ingestion.v1.ListSourcesResponse;
import io.strata.proto.ingestion.v1.MutinySourceAdminServiceGrpc.MutinySourceAdminServiceStub;
import io.strata.proto.ingestion.v1.RevokeSourceRequest;
import io.strata.proto.ingestion.v1.RevokeSourceResponse;
import io.strata.proto.ingestion.v1.RotateWriteKeyRequest;
import io.strata.proto.ingestion.v1.RotateWriteKeyResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * ingestion-service's source administration over gRPC, always for a signed-in administrator (whose
 * token goes along) and with a deadline.
 */
@ApplicationScoped
public class SourceAdminClient {

    private final MutinySourceAdminServiceStub sources;
    private final long deadlineMillis;

    public SourceAdminClient(@GrpcClient("ingestion") MutinySourceAdminServiceStub sources, GatewayConfig config) {
        this.sources = sources;
        this.deadlineMillis = config.calls().deadline().toMillis();
    }

    private MutinySourceAdminServiceStub forUser(SignedIn user) {
        return sources.withOption(ServiceCallInterceptor.FOR_USER, user.token())
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    public Uni<CreateSourceResponse> create(SignedIn user, String name, int rateLimitPerSecond) {
        return forUser(user)
                .createSource(CreateSourceRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setName(name)
                        .setRateLimitPerSecond(rateLimitPerSecond)
                        .build());
    }

    public Uni<ListSourcesResponse> list(SignedIn user, int pageSize, String cursor) {
        return forUser(user)
                .listSources(ListSourcesRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setPage(PageRequest.newBuilder().setPageSize(pageSize).setPageToken(cursor))
                        .build());
    }

    public Uni<RotateWriteKeyResponse> rotate(SignedIn user, String id) {
        return forUser(user)
                .rotateWriteKey(RotateWriteKeyRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setSourceId(id)
                        .build());
    }

    public Uni<RevokeSourceResponse> revoke(SignedIn user, String id) {
        return forUser(user)
                .revokeSource(RevokeSourceRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setSourceId(id)
                        .build());
    }
}
