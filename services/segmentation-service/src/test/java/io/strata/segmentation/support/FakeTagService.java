package io.strata.segmentation.support;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.security.Access;
import io.strata.proto.profile.v1.MutinyTagServiceGrpc;
import io.strata.proto.profile.v1.SetTagsRequest;
import io.strata.proto.profile.v1.SetTagsResponse;
import io.strata.proto.profile.v1.TagAssignment;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * profile-service's {@code SetTags} as the tests see it: per tenant, profile and tag, the last value
 * written ({@code null}: removed), from segmentation-service's own client only.
 */
@GrpcService
public class FakeTagService extends MutinyTagServiceGrpc.TagServiceImplBase {

    /** tenant → profile → tag → value (null: removed). */
    public static final Map<String, Map<String, Map<String, String>>> WRITTEN = new ConcurrentHashMap<>();

    @Inject
    Access access;

    @Inject
    CurrentIdentityAssociation identity;

    @Override
    public Uni<SetTagsResponse> setTags(SetTagsRequest request) {
        return access.call(identity.getDeferredIdentity())
                .forService(Set.of("strata-segmentation-service"))
                .map(caller -> {
                    Map<String, Map<String, String>> profiles =
                            WRITTEN.computeIfAbsent(request.getTenant(), t -> new ConcurrentHashMap<>());
                    for (TagAssignment row : request.getAssignmentsList()) {
                        profiles.computeIfAbsent(row.getProfile().getProfileId(), p -> new HashMap<>())
                                .put(request.getTagKey(), row.getRemove() ? null : row.getValue());
                    }
                    return SetTagsResponse.newBuilder()
                            .setApplied(request.getAssignmentsCount())
                            .setChanged(request.getAssignmentsCount())
                            .build();
                });
    }
}
