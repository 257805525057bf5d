package io.strata.ingestion.grpc;

import com.google.protobuf.Timestamp;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.SourceRecord;
import io.strata.ingestion.service.SourceService;
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
import jakarta.annotation.security.RolesAllowed;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Sources and write keys per tenant, called by the gateway for a signed-in administrator: every call
 * carries the gateway's service token and the administrator's own token, and the request's tenant
 * must be that user's (services/platform {@link Access}).
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class SourceAdminGrpcService implements SourceAdminService {

    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 500;

    private final SourceService sources;
    private final Access access;
    private final CurrentIdentityAssociation identity;

    public SourceAdminGrpcService(SourceService sources, Access access, CurrentIdentityAssociation identity) {
        this.sources = sources;
        this.access = access;
        this.identity = identity;
    }

    @Override
    public Uni<CreateSourceResponse> createSource(CreateSourceRequest request) {
        return forAdmin(
                request.getTenant(),
                () -> sources.create(request.getTenant(), request.getName(), request.getRateLimitPerSecond())
                        .map(keyed -> CreateSourceResponse.newBuilder()
                                .setSource(toProto(keyed.source()))
                                .setWriteKey(keyed.writeKey())
                                .build()));
    }

    @Override
    public Uni<ListSourcesResponse> listSources(ListSourcesRequest request) {
        return forAdmin(request.getTenant(), () -> {
            int size = request.getPage().getPageSize();
            if (size < 0 || size > MAX_PAGE) {
                throw IngestionException.invalid("page.page_size", "page.page_size must be between 0 and " + MAX_PAGE);
            }
            int limit = size == 0 ? DEFAULT_PAGE : size;
            // the cursor is the last name of the previous page
            String after = request.getPage().getPageToken();
            return sources.list(request.getTenant(), after, limit + 1).map(page -> {
                ListSourcesResponse.Builder response = ListSourcesResponse.newBuilder();
                page.stream().limit(limit).forEach(s -> response.addSources(toProto(s)));
                response.setPage(PageInfo.newBuilder()
                        .setNextPageToken(
                                page.size() > limit ? page.get(limit - 1).name() : ""));
                return response.build();
            });
        });
    }

    @Override
    public Uni<RotateWriteKeyResponse> rotateWriteKey(RotateWriteKeyRequest request) {
        return forAdmin(
                request.getTenant(),
                () -> sources.rotate(request.getTenant(), id(request.getSourceId()))
                        .map(keyed -> RotateWriteKeyResponse.newBuilder()
                                .setSource(toProto(keyed.source()))
                                .setWriteKey(keyed.writeKey())
                                .build()));
    }

    @Override
    public Uni<RevokeSourceResponse> revokeSource(RevokeSourceRequest request) {
        return forAdmin(
                request.getTenant(),
                () -> sources.revoke(request.getTenant(), id(request.getSourceId()))
                        .map(source -> RevokeSourceResponse.newBuilder()
                                .setSource(toProto(source))
                                .build()));
    }

    /** Every method is for an administrator of the request's tenant, and ends when the caller gives up. */
    private <T> Uni<T> forAdmin(String tenant, Supplier<Uni<? extends T>> call) {
        return GrpcErrors.guarded(() -> access.forUser(identity.getDeferredIdentity(), tenant, Roles.ADMIN)
                .chain(caller -> caller.within(Uni.createFrom().<T>deferred(call))));
    }

    private static UUID id(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw IngestionException.invalid("source_id", "source_id must be a UUID");
        }
    }

    static Source toProto(SourceRecord s) {
        Source.Builder source = Source.newBuilder()
                .setId(s.id().toString())
                .setTenant(s.tenant())
                .setName(s.name())
                .setCreatedAt(timestamp(s.createdAt()))
                .setRateLimitPerSecond(s.rateLimitPerSecond() == null ? 0 : s.rateLimitPerSecond());
        if (s.revokedAt() != null) {
            source.setRevokedAt(timestamp(s.revokedAt()));
        }
        return source.build();
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }
}
