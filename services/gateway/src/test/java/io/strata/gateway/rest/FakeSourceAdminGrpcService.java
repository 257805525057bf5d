package io.strata.gateway.rest;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
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
@Authenticated // as the real service is: proves the gateway sends its service token
public class FakeSourceAdminGrpcService implements SourceAdminService {

    private final Map<String, Source> sources = new ConcurrentHashMap<>();

    @Override
    public Uni<CreateSourceResponse> createSource(CreateSourceRequest request) {
        if (request.getName().length() > 100) {
            return Uni.createFrom()
                    .failure(Status.INVALID_ARGUMENT
                            .withDescription("name: name is required, at most 100 characters")
                            .asRuntimeException());
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
        ListSourcesResponse.Builder response = ListSourcesResponse.newBuilder().setPage(PageInfo.getDefaultInstance());
        sources.values().stream()
                .filter(s -> s.getTenant().equals(request.getTenant()))
                .sorted(java.util.Comparator.comparing(Source::getName))
                .forEach(response::addSources);
        return Uni.createFrom().item(response.build());
    }

    @Override
    public Uni<RotateWriteKeyResponse> rotateWriteKey(RotateWriteKeyRequest request) {
        return owned(request.getTenant(), request.getSourceId())
                .map(source -> RotateWriteKeyResponse.newBuilder()
                        .setSource(source)
                        .setWriteKey("rotated-" + UUID.randomUUID())
                        .build());
    }

    @Override
    public Uni<RevokeSourceResponse> revokeSource(RevokeSourceRequest request) {
        return owned(request.getTenant(), request.getSourceId()).map(source -> {
            Source revoked = source.toBuilder()
                    .setRevokedAt(Timestamp.newBuilder().setSeconds(1_700_000_500L))
                    .build();
            sources.put(revoked.getId(), revoked);
            return RevokeSourceResponse.newBuilder().setSource(revoked).build();
        });
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
