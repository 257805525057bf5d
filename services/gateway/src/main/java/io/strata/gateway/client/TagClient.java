package io.strata.gateway.client;

import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.security.SignedIn;
import io.strata.platform.grpc.ServiceCallInterceptor;
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
import io.strata.proto.profile.v1.MutinyTagServiceGrpc.MutinyTagServiceStub;
import io.strata.proto.profile.v1.RecomputeTagsRequest;
import io.strata.proto.profile.v1.RecomputeTagsResponse;
import io.strata.proto.profile.v1.SetTagsRequest;
import io.strata.proto.profile.v1.SetTagsResponse;
import io.strata.proto.profile.v1.TagAssignment;
import io.strata.proto.profile.v1.TagDefinition;
import io.strata.proto.profile.v1.TagJob;
import io.strata.proto.profile.v1.UpdateTagDefinitionRequest;
import io.strata.proto.profile.v1.UpdateTagDefinitionResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** profile-service's TagService over gRPC, for a signed-in user of the tenant, with a deadline. */
@ApplicationScoped
public class TagClient {

    private final MutinyTagServiceStub tags;
    private final long deadlineMillis;

    public TagClient(@GrpcClient("profile") MutinyTagServiceStub tags, GatewayConfig config) {
        this.tags = tags;
        this.deadlineMillis = config.calls().deadline().toMillis();
    }

    private MutinyTagServiceStub forUser(SignedIn user) {
        return tags.withOption(ServiceCallInterceptor.FOR_USER, user.token())
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    public Uni<List<TagDefinition>> list(SignedIn user, String category, String kind) {
        return forUser(user)
                .listTagDefinitions(ListTagDefinitionsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setCategory(category)
                        .setKind(kind)
                        .build())
                .map(ListTagDefinitionsResponse::getDefinitionsList);
    }

    public Uni<TagDefinition> get(SignedIn user, String key) {
        return forUser(user)
                .getTagDefinition(GetTagDefinitionRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setKey(key)
                        .build())
                .map(GetTagDefinitionResponse::getDefinition);
    }

    public Uni<TagDefinition> create(SignedIn user, TagDefinition definition) {
        return forUser(user)
                .createTagDefinition(CreateTagDefinitionRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setDefinition(definition)
                        .build())
                .map(CreateTagDefinitionResponse::getDefinition);
    }

    public Uni<TagDefinition> update(SignedIn user, TagDefinition definition) {
        return forUser(user)
                .updateTagDefinition(UpdateTagDefinitionRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setDefinition(definition)
                        .build())
                .map(UpdateTagDefinitionResponse::getDefinition);
    }

    public Uni<TagJob> delete(SignedIn user, String key) {
        return forUser(user)
                .deleteTagDefinition(DeleteTagDefinitionRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setKey(key)
                        .build())
                .map(DeleteTagDefinitionResponse::getJob);
    }

    public Uni<SetTagsResponse> set(SignedIn user, String key, List<TagAssignment> rows, String source) {
        return forUser(user)
                .setTags(SetTagsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setTagKey(key)
                        .addAllAssignments(rows)
                        .setSource(source)
                        .build());
    }

    public Uni<TagJob> recompute(SignedIn user) {
        return forUser(user)
                .recomputeTags(RecomputeTagsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build())
                .map(RecomputeTagsResponse::getJob);
    }

    public Uni<TagJob> job(SignedIn user, String id) {
        return forUser(user)
                .getTagJob(GetTagJobRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setId(id)
                        .build())
                .map(GetTagJobResponse::getJob);
    }

    public Uni<CountTagsResponse> count(SignedIn user) {
        return forUser(user)
                .countTags(
                        CountTagsRequest.newBuilder().setTenant(user.tenant()).build());
    }
}
