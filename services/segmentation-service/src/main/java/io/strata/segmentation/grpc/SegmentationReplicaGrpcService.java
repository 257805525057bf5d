package io.strata.segmentation.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.ApplyModelsRequest;
import io.strata.proto.segmentation.v1.ApplyModelsResponse;
import io.strata.proto.segmentation.v1.CheckMembersRequest;
import io.strata.proto.segmentation.v1.CheckMembersResponse;
import io.strata.proto.segmentation.v1.CollectFunnelRowsRequest;
import io.strata.proto.segmentation.v1.CollectFunnelRowsResponse;
import io.strata.proto.segmentation.v1.CountAiplFlowsRequest;
import io.strata.proto.segmentation.v1.CountAiplFlowsResponse;
import io.strata.proto.segmentation.v1.CountMembersRequest;
import io.strata.proto.segmentation.v1.CountMembersResponse;
import io.strata.proto.segmentation.v1.DescribeReplicaRequest;
import io.strata.proto.segmentation.v1.DescribeReplicaResponse;
import io.strata.proto.segmentation.v1.ExplainProfileRequest;
import io.strata.proto.segmentation.v1.ExplainProfileResponse;
import io.strata.proto.segmentation.v1.ExportPartitionsRequest;
import io.strata.proto.segmentation.v1.ExportPartitionsResponse;
import io.strata.proto.segmentation.v1.FindProfileRequest;
import io.strata.proto.segmentation.v1.FindProfileResponse;
import io.strata.proto.segmentation.v1.PartitionCheck;
import io.strata.proto.segmentation.v1.PartitionCount;
import io.strata.proto.segmentation.v1.PreviewDefinitionRequest;
import io.strata.proto.segmentation.v1.PreviewDefinitionResponse;
import io.strata.proto.segmentation.v1.ReplicaState;
import io.strata.proto.segmentation.v1.SegmentationReplicaService;
import io.strata.proto.segmentation.v1.SetPartitionMembersRequest;
import io.strata.proto.segmentation.v1.SetPartitionMembersResponse;
import io.strata.proto.segmentation.v1.StaticMode;
import io.strata.proto.segmentation.v1.SummarizeForModelsRequest;
import io.strata.proto.segmentation.v1.SummarizeForModelsResponse;
import io.strata.proto.segmentation.v1.SummarizeMicroGroupsRequest;
import io.strata.proto.segmentation.v1.SummarizeMicroGroupsResponse;
import io.strata.segmentation.client.Replicas;
import io.strata.segmentation.config.SegmentationConfig;
import io.strata.segmentation.domain.Segment;
import io.strata.segmentation.messaging.FeedLoop;
import io.strata.segmentation.models.ModelSettings;
import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.service.AudienceQueries;
import io.strata.segmentation.service.CrowdAnalyses;
import io.strata.segmentation.service.Engine;
import io.strata.segmentation.service.ModelMessages;
import io.strata.segmentation.service.ModelRuns;
import io.strata.segmentation.service.SegmentCommands;
import jakarta.annotation.security.RolesAllowed;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a replica answers the others from the partitions it serves (the scatter-gather of
 * {@link AudienceQueries}): for segmentation-service's own client only.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class SegmentationReplicaGrpcService implements SegmentationReplicaService {

    private final Engine engine;
    private final FeedLoop loop;
    private final Replicas replicas;
    private final AudienceQueries queries;
    private final SegmentCommands commands;
    private final Access access;
    private final CurrentIdentityAssociation identity;
    private final SegmentationConfig config;
    private final ModelRuns models;
    private final CrowdAnalyses crowds;

    public SegmentationReplicaGrpcService(
            Engine engine,
            FeedLoop loop,
            Replicas replicas,
            AudienceQueries queries,
            SegmentCommands commands,
            Access access,
            CurrentIdentityAssociation identity,
            SegmentationConfig config,
            ModelRuns models,
            CrowdAnalyses crowds) {
        this.crowds = crowds;
        this.engine = engine;
        this.loop = loop;
        this.replicas = replicas;
        this.queries = queries;
        this.commands = commands;
        this.access = access;
        this.identity = identity;
        this.config = config;
        this.models = models;
    }

    @Override
    public Uni<SummarizeForModelsResponse> summarizeForModels(SummarizeForModelsRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            ModelSettings settings = ModelGrpcService.read("settings", request.getSettings());
            return ModelRuns.worker(() -> ModelMessages.summarizeResponse(models.summarizeHere(
                            request.getTenant(),
                            request.getPartitionsList(),
                            settings,
                            Instant.ofEpochMilli(request.getAsOfMillis())))
                    .setReplica(state())
                    .build());
        });
    }

    @Override
    public Uni<SummarizeMicroGroupsResponse> summarizeMicroGroups(SummarizeMicroGroupsRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            return ModelRuns.worker(() -> SummarizeMicroGroupsResponse.newBuilder()
                    .addAllGroups(crowds.microGroupsHere(
                            request.getTenant(),
                            request.getPartitionsList(),
                            CrowdAnalyses.filled(request.getRequest()),
                            request.getAsOfMillis()))
                    .setReplica(state())
                    .build());
        });
    }

    @Override
    public Uni<CollectFunnelRowsResponse> collectFunnelRows(CollectFunnelRowsRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            return ModelRuns.worker(() -> CollectFunnelRowsResponse.newBuilder()
                    .addAllRows(crowds.funnelRowsHere(
                            request.getTenant(),
                            request.getPartitionsList(),
                            request.getCoreSegmentId(),
                            request.getAsOfMillis()))
                    .setReplica(state())
                    .build());
        });
    }

    @Override
    public Uni<ApplyModelsResponse> applyModels(ApplyModelsRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            ModelSettings settings = ModelGrpcService.read("settings", request.getSettings());
            return models.applyHere(
                            request.getTenant(),
                            request.getPartitionsList(),
                            settings,
                            Instant.ofEpochMilli(request.getAsOfMillis()),
                            ModelMessages.fitted(request))
                    .map(applied -> ModelMessages.appliedResponse(applied)
                            .setReplica(state())
                            .build());
        });
    }

    @Override
    public Uni<CountAiplFlowsResponse> countAiplFlows(CountAiplFlowsRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            ModelSettings settings = ModelGrpcService.read("settings", request.getSettings());
            return ModelRuns.worker(() -> ModelMessages.flowsResponse(models.flowsHere(
                            request.getTenant(),
                            request.getPartitionsList(),
                            settings,
                            Instant.ofEpochMilli(request.getFromMillis()),
                            Instant.ofEpochMilli(request.getToMillis())))
                    .setReplica(state())
                    .build());
        });
    }

    @Override
    public Uni<DescribeReplicaResponse> describeReplica(DescribeReplicaRequest request) {
        return sibling(() -> Uni.createFrom()
                .item(DescribeReplicaResponse.newBuilder().setReplica(state()).build()));
    }

    @Override
    public Uni<CountMembersResponse> countMembers(CountMembersRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            List<String> ids = request.getSegmentIdsList();
            if (ids.isEmpty() || request.getOverlap() && ids.size() > 3) {
                throw Errors.invalid("segment_ids", "one or more audiences (at most three for an overlap)");
            }
            CountMembersResponse.Builder out = CountMembersResponse.newBuilder().setReplica(state());
            engine.count(request.getTenant(), ids, request.getOverlap())
                    .forEach((p, c) -> out.addPartitions(count(p, c)));
            return Uni.createFrom().item(out.build());
        });
    }

    @Override
    public Uni<PreviewDefinitionResponse> previewDefinition(PreviewDefinitionRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            Condition rule = commands.parse(request.getTenant(), "definition", request.getDefinition());
            PreviewDefinitionResponse.Builder out =
                    PreviewDefinitionResponse.newBuilder().setReplica(state());
            engine.preview(request.getTenant(), rule).forEach((p, c) -> out.addPartitions(count(p, c)));
            return Uni.createFrom().item(out.build());
        });
    }

    @Override
    public Uni<FindProfileResponse> findProfile(FindProfileRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            profile(request.getProfileId());
            Set<String> in = engine.segmentsOf(request.getTenant(), request.getProfileId(), request.getPartition());
            FindProfileResponse.Builder out = FindProfileResponse.newBuilder().setReplica(state());
            if (in != null) {
                out.setLive(true).setFound(in != Engine.NOT_FOUND).addAllSegmentIds(in);
            }
            return Uni.createFrom().item(out.build());
        });
    }

    @Override
    public Uni<CheckMembersResponse> checkMembers(CheckMembersRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            if (request.getChecksCount() > SegmentationGrpcService.MAX_CHECKS) {
                throw Errors.invalid(
                        "checks",
                        "at most " + SegmentationGrpcService.MAX_CHECKS + ", was " + request.getChecksCount());
            }
            CheckMembersResponse.Builder out = CheckMembersResponse.newBuilder().setReplica(state());
            for (PartitionCheck check : request.getChecksList()) {
                profile(check.getProfileId());
                Boolean member = engine.member(
                        request.getTenant(), check.getProfileId(), check.getPartition(), check.getSegmentId());
                out.addLive(member != null).addMembers(Boolean.TRUE.equals(member));
            }
            return Uni.createFrom().item(out.build());
        });
    }

    @Override
    public Uni<ExplainProfileResponse> explainProfile(ExplainProfileRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            profile(request.getProfileId());
            return known(request.getTenant(), request.getSegmentId(), Segment.Kind.RULE)
                    .map(segment -> {
                        Condition rule = commands.parse(request.getTenant(), "definition", segment.definition());
                        return queries
                                .explainHere(
                                        request.getTenant(),
                                        request.getProfileId(),
                                        request.getPartition(),
                                        segment.id(),
                                        rule)
                                .toBuilder()
                                .setReplica(state())
                                .build();
                    });
        });
    }

    @Override
    public Multi<ExportPartitionsResponse> exportPartitions(ExportPartitionsRequest request) {
        return sibling(() -> {
                    tenant(request.getTenant());
                    try {
                        return Uni.createFrom()
                                .item(engine.members(
                                        request.getTenant(), request.getSegmentId(), request.getPartitionsList()));
                    } catch (IllegalStateException e) {
                        throw Errors.precondition(e.getMessage());
                    }
                })
                .onItem()
                .transformToMulti(ids -> Multi.createFrom().iterable(AudienceQueries.chunks(ids)))
                .map(chunk -> ExportPartitionsResponse.newBuilder()
                        .addAllProfileIds(chunk)
                        .build());
    }

    @Override
    public Uni<SetPartitionMembersResponse> setPartitionMembers(SetPartitionMembersRequest request) {
        return sibling(() -> {
            tenant(request.getTenant());
            if (request.getMode() == StaticMode.STATIC_MODE_UNSPECIFIED || request.getModeValue() > 3) {
                throw Errors.invalid("mode", "mode is REPLACE, ADD or REMOVE");
            }
            Set<String> ids = new LinkedHashSet<>(request.getProfileIdsList());
            return known(request.getTenant(), request.getSegmentId(), Segment.Kind.STATIC)
                    .chain(segment -> Uni.createFrom()
                            .completionStage(() -> loop.submit(() -> engine.setStatic(
                                    request.getTenant(),
                                    segment.id(),
                                    ids,
                                    request.getMode(),
                                    request.getPartitionsList()))))
                    .onFailure(IllegalStateException.class)
                    .transform(f -> Errors.precondition(f.getMessage()))
                    .map(result -> {
                        SetPartitionMembersResponse.Builder out = SetPartitionMembersResponse.newBuilder()
                                .setReplica(state())
                                .setUnknown(result.unknown());
                        for (Map.Entry<Integer, Long> size : result.sizes().entrySet()) {
                            out.addPartitions(PartitionCount.newBuilder()
                                    .setPartition(size.getKey())
                                    .addSizes(size.getValue()));
                        }
                        return out.build();
                    });
        });
    }

    /**
     * The active audience as this replica applies it, after catching up with what was stored when it
     * does not know it yet (created through the calling replica a moment ago).
     */
    private Uni<Segment> known(String tenant, String id, Segment.Kind kind) {
        Segment segment = engine.active(tenant, id);
        Uni<Segment> found = segment != null
                ? Uni.createFrom().item(segment)
                : commands.synced().map(ok -> engine.active(tenant, id));
        return found.map(s -> {
            if (s == null || s.kind() != kind) {
                throw Errors.precondition("segment " + id + " is no active "
                        + kind.name().toLowerCase(java.util.Locale.ROOT) + " audience on this replica");
            }
            return s;
        });
    }

    private ReplicaState state() {
        return ReplicaState.newBuilder()
                .setReplicaId(replicas.id())
                .addAllLivePartitions(engine.live())
                .setFeedPartitions(engine.feedPartitions())
                .setFeedLagRecords(engine.lag())
                .build();
    }

    private static PartitionCount count(int partition, Engine.Counts counts) {
        PartitionCount.Builder out =
                PartitionCount.newBuilder().setPartition(partition).setProfiles(counts.profiles());
        for (long size : counts.sizes()) {
            out.addSizes(size);
        }
        for (long region : counts.regions()) {
            out.addRegions(region);
        }
        return out.build();
    }

    private static void tenant(String tenant) {
        if (tenant == null || tenant.isBlank()) {
            throw Errors.invalid("tenant", "tenant is required");
        }
    }

    private static void profile(String profileId) {
        if (profileId == null || profileId.isBlank()) {
            throw Errors.invalid("profile_id", "profile_id is required");
        }
    }

    /** The call is another replica's (segmentation-service's own client), within its deadline. */
    private <T> Uni<T> sibling(Supplier<Uni<T>> call) {
        return access.call(identity.getDeferredIdentity())
                .forService(config.replicas().clients())
                .chain(c -> c.within(Uni.createFrom().deferred(call::get)));
    }
}
