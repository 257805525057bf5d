package io.strata.gateway.rest;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.common.v1.PageInfo;
import io.strata.proto.ingestion.v1.CreateSourceRequest;
import io.strata.proto.ingestion.v1.CreateSourceResponse;
import io.strata.proto.ingestion.v1.ListSourcesRequest;
import io.strata.proto.ingestion.v1.ListSourcesResponse;
import io.strata.proto.ingestion.v1.RevokeSourceRequest;
import io.strata.proto.ingestion.v1.RevokeSourceResponse;
import io.strata.proto.ingestion.v1.RotateWriteKeyRequest;
import io.strata.proto.ingestion.v1.RotateWriteKeyResponse;
import io.strata.proto.ingestion.v1.Source;
import io.strata.proto.ingestion.v1.SourceAdminService;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Stands in for ingestion-service's source administration: sources in memory, per tenant. */
@GrpcService
public class FakeSourceAdminGrpcService implements SourceAdminService {

    private final Map<String, Source> sources = new ConcurrentHashMap<>();
    private final Access access;
    private final CurrentIdentityAssociation identity;

    public FakeSourceAdminGrpcService(Access access, CurrentIdentityAssociation identity) {
        this.access = access;
        this.identity = identity;
    }

    /** As ingestion-service: the caller may act for an administrator of the request's tenant. */
    private <T> Uni<T> checked(String tenant, java.util.function.Supplier<Uni<T>> call) {
        return access.forUser(identity.getDeferredIdentity(), tenant, Roles.ADMIN)
                .chain(caller -> caller.within(call.get()));
    }

    @Override
    public Uni<CreateSourceResponse> createSource(CreateSourceRequest request) {
        return checked(request.getTenant(), () -> create(request));
    }

    private Uni<CreateSourceResponse> create(CreateSourceRequest request) {
        if (request.getName().length() > 100) {
            return Uni.createFrom().failure(Errors.invalid("name", "name is required, at most 100 characters"));
        }
        if (request.getRateLimitPerSecond() > 1000) {
            return Uni.createFrom()
                    .failure(Errors.invalid(
                            "rate_limit_per_second", "rate_limit_per_second 1001 is above the tenant's quota"));
        }
        Source source = Source.newBuilder()
                .setId(UUID.randomUUID().toString())
                .setTenant(request.getTenant())
                .setName(request.getName())
                .setRateLimitPerSecond(request.getRateLimitPerSecond())
                .setCreatedAt(Timestamp.newBuilder().setSeconds(1_700_000_000L))
                .build();
        sources.put(source.getId(), source);
        return Uni.createFrom()
                .item(CreateSourceResponse.newBuilder()
                        .setSource(source)
                        .setWriteKey("key-" + source.getId())
                        .build());
    }

    @Override
    public Uni<ListSourcesResponse> listSources(ListSourcesRequest request) {
        return checked(request.getTenant(), () -> list(request));
    }

    private Uni<ListSourcesResponse> list(ListSourcesRequest request) {
        ListSourcesResponse.Builder response = ListSourcesResponse.newBuilder().setPage(PageInfo.getDefaultInstance());
        sources.values().stream()
                .filter(s -> s.getTenant().equals(request.getTenant()))
                .sorted(java.util.Comparator.comparing(Source::getName))
                .forEach(response::addSources);
        return Uni.createFrom().item(response.build());
    }

    @Override
    public Uni<RotateWriteKeyResponse> rotateWriteKey(RotateWriteKeyRequest request) {
        return checked(
                request.getTenant(),
                () -> owned(request.getTenant(), request.getSourceId())
                        .map(source -> RotateWriteKeyResponse.newBuilder()
                                .setSource(source)
                                .setWriteKey("rotated-" + UUID.randomUUID())
                                .build()));
    }

    @Override
    public Uni<RevokeSourceResponse> revokeSource(RevokeSourceRequest request) {
        return checked(
                request.getTenant(),
                () -> owned(request.getTenant(), request.getSourceId()).map(source -> {
                    Source revoked = source.toBuilder()
                            .setRevokedAt(Timestamp.newBuilder().setSeconds(1_700_000_500L))
                            .build();
                    sources.put(revoked.getId(), revoked);
                    return RevokeSourceResponse.newBuilder().setSource(revoked).build();
                }));
    }

    Uni<Source> owned(String tenant, String id) {
        Source source = sources.get(id);
        if (source == null || !source.getTenant().equals(tenant)) {
            return Uni.createFrom()
                    .failure(Status.NOT_FOUND
                            .withDescription("source " + id + " not found")
                            .asRuntimeException());
        }
        return Uni.createFrom().item(source);
    }
}
