package io.strata.gateway.rest;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.profile.v1.CountTagsRequest;
import io.strata.proto.profile.v1.CountTagsResponse;
import io.strata.proto.profile.v1.CreateTagDefinitionRequest;
import io.strata.proto.profile.v1.CreateTagDefinitionResponse;
import io.strata.proto.profile.v1.DeleteTagDefinitionRequest;
import io.strata.proto.profile.v1.DeleteTagDefinitionResponse;
import io.strata.proto.profile.v1.GetTagDefinitionRequest;
import io.strata.proto.profile.v1.GetTagDefinitionResponse;
import io.strata.proto.profile.v1.GetTagJobRequest;
import io.strata.proto.profile.v1.GetTagJobResponse;
import io.strata.proto.profile.v1.ListTagDefinitionsRequest;
import io.strata.proto.profile.v1.ListTagDefinitionsResponse;
import io.strata.proto.profile.v1.LookupTagsRequest;
import io.strata.proto.profile.v1.LookupTagsResponse;
import io.strata.proto.profile.v1.RecomputeTagsRequest;
import io.strata.proto.profile.v1.RecomputeTagsResponse;
import io.strata.proto.profile.v1.RefusedRow;
import io.strata.proto.profile.v1.SetTagsRequest;
import io.strata.proto.profile.v1.SetTagsResponse;
import io.strata.proto.profile.v1.TagDefinition;
import io.strata.proto.profile.v1.TagService;
import io.strata.proto.profile.v1.UpdateTagDefinitionRequest;
import io.strata.proto.profile.v1.UpdateTagDefinitionResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for profile-service's TagService: tenant "demo" has one tag, vip; SetTags refuses the
 * rows whose value is "bad" (field value) and keeps every request it was sent, for the tests to
 * read.
 */
@GrpcService
public class FakeTagGrpcService implements TagService {

    static final List<SetTagsRequest> sets = new CopyOnWriteArrayList<>();

    private final Access access;
    private final CurrentIdentityAssociation identity;

    public FakeTagGrpcService(Access access, CurrentIdentityAssociation identity) {
        this.access = access;
        this.identity = identity;
    }

    private <T> Uni<T> checked(String tenant, String role, java.util.function.Supplier<T> call) {
        return access.forUser(identity.getDeferredIdentity(), tenant, role).map(caller -> call.get());
    }

    static TagDefinition vip() {
        return TagDefinition.newBuilder()
                .setKey("vip")
                .setName("VIP")
                .setKind("manual")
                .setValueType("boolean")
                .setCategory("value/vip")
                .build();
    }

    @Override
    public Uni<ListTagDefinitionsResponse> listTagDefinitions(ListTagDefinitionsRequest request) {
        return checked(
                request.getTenant(),
                Roles.VIEWER,
                () -> ListTagDefinitionsResponse.newBuilder()
                        .addAllDefinitions("demo".equals(request.getTenant()) ? List.of(vip()) : List.of())
                        .build());
    }

    @Override
    public Uni<SetTagsResponse> setTags(SetTagsRequest request) {
        return checked(request.getTenant(), Roles.MARKETER, () -> {
            sets.add(request);
            SetTagsResponse.Builder response = SetTagsResponse.newBuilder();
            for (int i = 0; i < request.getAssignmentsCount(); i++) {
                if (request.getAssignments(i).getValue().equals("bad")) {
                    response.addRefused(
                            RefusedRow.newBuilder().setRow(i).setField("value").setReason("not a boolean"));
                } else {
                    response.setApplied(response.getApplied() + 1);
                }
            }
            return response.setChanged(response.getApplied()).build();
        });
    }

    private static <T> Uni<T> unimplemented() {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED.asRuntimeException());
    }

    @Override
    public Uni<GetTagDefinitionResponse> getTagDefinition(GetTagDefinitionRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<CreateTagDefinitionResponse> createTagDefinition(CreateTagDefinitionRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<UpdateTagDefinitionResponse> updateTagDefinition(UpdateTagDefinitionRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<DeleteTagDefinitionResponse> deleteTagDefinition(DeleteTagDefinitionRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<RecomputeTagsResponse> recomputeTags(RecomputeTagsRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<GetTagJobResponse> getTagJob(GetTagJobRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<CountTagsResponse> countTags(CountTagsRequest request) {
        return unimplemented();
    }

    @Override
    public Uni<LookupTagsResponse> lookupTags(LookupTagsRequest request) {
        return unimplemented();
    }
}
