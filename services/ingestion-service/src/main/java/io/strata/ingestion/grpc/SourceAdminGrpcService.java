package io.strata.ingestion.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.SourceEntity;
import io.strata.ingestion.service.SourceService;
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
import jakarta.annotation.security.RolesAllowed;
import java.util.UUID;

/**
 * Sources and write keys per tenant, for the gateway: every call carries a service token
 * (audience strata-services); the tenant comes from the signed-in user the gateway serves.
 */
@GrpcService
@RolesAllowed("strata-service")
public class SourceAdminGrpcService implements SourceAdminService {

    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 500;

    private final SourceService sources;

    public SourceAdminGrpcService(SourceService sources) {
        this.sources = sources;
    }

    @Override
    public Uni<CreateSourceResponse> createSource(CreateSourceRequest request) {
        return GrpcErrors.guarded(() -> sources.create(
                        request.getTenant(), request.getName(), request.getRateLimitPerSecond())
                .map(keyed -> CreateSourceResponse.newBuilder()
                        .setSource(toProto(keyed.source()))
                        .setWriteKey(keyed.writeKey())
                        .build()));
    }

    @Override
    public Uni<ListSourcesResponse> listSources(ListSourcesRequest request) {
        int size = request.getPage().getPageSize();
        if (size < 0 || size > MAX_PAGE) {
            return Uni.createFrom()
                    .failure(Status.INVALID_ARGUMENT
                            .withDescription("page.page_size must be between 0 and " + MAX_PAGE)
                            .asRuntimeException());
        }
        int limit = size == 0 ? DEFAULT_PAGE : size;
        // the cursor is the last name of the previous page
        String after = request.getPage().getPageToken();
        return GrpcErrors.guarded(() -> sources.list(request.getTenant(), after, limit + 1)
                .map(page -> {
                    ListSourcesResponse.Builder response = ListSourcesResponse.newBuilder();
                    page.stream().limit(limit).forEach(s -> response.addSources(toProto(s)));
                    response.setPage(PageInfo.newBuilder()
                            .setNextPageToken(page.size() > limit ? page.get(limit - 1).name : ""));
                    return response.build();
                }));
    }

    @Override
    public Uni<RotateWriteKeyResponse> rotateWriteKey(RotateWriteKeyRequest request) {
        return GrpcErrors.guarded(() -> sources.rotate(request.getTenant(), id(request.getSourceId()))
                .map(keyed -> RotateWriteKeyResponse.newBuilder()
                        .setSource(toProto(keyed.source()))
                        .setWriteKey(keyed.writeKey())
                        .build()));
    }

    @Override
    public Uni<RevokeSourceResponse> revokeSource(RevokeSourceRequest request) {
        return GrpcErrors.guarded(() -> sources.revoke(request.getTenant(), id(request.getSourceId()))
                .map(source -> RevokeSourceResponse.newBuilder()
                        .setSource(toProto(source))
                        .build()));
    }

    private static UUID id(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw IngestionException.invalid("source_id", "source_id must be a UUID");
        }
    }

    static Source toProto(SourceEntity s) {
        Source.Builder source = Source.newBuilder()
                .setId(s.id.toString())
                .setTenant(s.tenant)
                .setName(s.name)
                .setCreatedAt(Timestamp.newBuilder()
                        .setSeconds(s.createdAt.toEpochSecond())
                        .setNanos(s.createdAt.getNano()))
                .setRateLimitPerSecond(s.rateLimitPerSecond == null ? 0 : s.rateLimitPerSecond);
        if (s.revokedAt != null) {
            source.setRevokedAt(Timestamp.newBuilder()
                    .setSeconds(s.revokedAt.toEpochSecond())
                    .setNanos(s.revokedAt.getNano()));
        }
        return source.build();
    }
}
