package io.strata.campaign.support;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.security.Access;
import io.strata.proto.profile.v1.ConsentUpdate;
import io.strata.proto.profile.v1.MutinyTagServiceGrpc;
import io.strata.proto.profile.v1.SetTagsRequest;
import io.strata.proto.profile.v1.SetTagsResponse;
import io.strata.proto.profile.v1.TagAssignment;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * profile-service's tags as the tests see them: {@code SetTags} from campaign-service's own client
 * records each assignment ("tenant/profile/tag=value", "…=-" for a removal) and refuses the whole
 * call for the tag {@code unknown_tag} (INVALID_ARGUMENT, as profile-service does for a tag its
 * catalog lacks). Its consents: {@link FakeConsentService}.
 */
@GrpcService
public class FakeProfileService extends MutinyTagServiceGrpc.TagServiceImplBase {

    /** What was set, in order. */
    public static final List<String> TAGS = new CopyOnWriteArrayList<>();

    /** What consent was recorded, in order. */
    public static final List<ConsentUpdate> CONSENTS = new CopyOnWriteArrayList<>();

    @Inject
    Access access;

    @Inject
    CurrentIdentityAssociation identity;

    @Override
    public Uni<SetTagsResponse> setTags(SetTagsRequest request) {
        return access.call(identity.getDeferredIdentity())
                .forService(Set.of("strata-campaign-service"))
                .map(caller -> {
                    if (request.getTagKey().equals("unknown_tag")) {
                        // as profile-service: a tag the tenant's catalog lacks refuses the whole call
                        throw io.strata.platform.errors.Errors.invalid("tag_key", "no tag unknown_tag");
                    }
                    var out = SetTagsResponse.newBuilder();
                    for (int i = 0; i < request.getAssignmentsCount(); i++) {
                        TagAssignment a = request.getAssignments(i);
                        TAGS.add(request.getTenant() + "/" + a.getProfile().getProfileId() + "/" + request.getTagKey()
                                + "=" + (a.getRemove() ? "-" : a.getValue()));
                        out.setApplied(out.getApplied() + 1);
                    }
                    return out.build();
                });
    }
}
