package io.strata.gateway.rest;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.campaign.v1.ArmResult;
import io.strata.proto.campaign.v1.CampaignService;
import io.strata.proto.campaign.v1.GetExperimentResultsRequest;
import io.strata.proto.campaign.v1.GetExperimentResultsResponse;
import io.strata.proto.campaign.v1.GetJourneyClockRequest;
import io.strata.proto.campaign.v1.GetJourneyClockResponse;
import io.strata.proto.campaign.v1.GetJourneyRequest;
import io.strata.proto.campaign.v1.GetJourneyResponse;
import io.strata.proto.campaign.v1.GetJourneyStatsRequest;
import io.strata.proto.campaign.v1.GetJourneyStatsResponse;
import io.strata.proto.campaign.v1.GetProfileJourneysRequest;
import io.strata.proto.campaign.v1.GetProfileJourneysResponse;
import io.strata.proto.campaign.v1.GetSendPolicyRequest;
import io.strata.proto.campaign.v1.GetSendPolicyResponse;
import io.strata.proto.campaign.v1.Journey;
import io.strata.proto.campaign.v1.JourneyClock;
import io.strata.proto.campaign.v1.JourneyStatus;
import io.strata.proto.campaign.v1.ListJourneyInstancesRequest;
import io.strata.proto.campaign.v1.ListJourneyInstancesResponse;
import io.strata.proto.campaign.v1.ListJourneysRequest;
import io.strata.proto.campaign.v1.ListJourneysResponse;
import io.strata.proto.campaign.v1.ListTemplatesRequest;
import io.strata.proto.campaign.v1.ListTemplatesResponse;
import io.strata.proto.campaign.v1.PublishJourneyRequest;
import io.strata.proto.campaign.v1.PublishJourneyResponse;
import io.strata.proto.campaign.v1.SaveJourneyRequest;
import io.strata.proto.campaign.v1.SaveJourneyResponse;
import io.strata.proto.campaign.v1.SetJourneyClockRequest;
import io.strata.proto.campaign.v1.SetJourneyClockResponse;
import io.strata.proto.campaign.v1.SetJourneyStatusRequest;
import io.strata.proto.campaign.v1.SetJourneyStatusResponse;
import io.strata.proto.campaign.v1.SetSendPolicyRequest;
import io.strata.proto.campaign.v1.SetSendPolicyResponse;
import io.strata.proto.campaign.v1.SetSenderRequest;
import io.strata.proto.campaign.v1.SetSenderResponse;
import io.strata.proto.campaign.v1.SetTemplateRequest;
import io.strata.proto.campaign.v1.SetTemplateResponse;
import io.strata.proto.campaign.v1.SplitResult;
import io.strata.proto.campaign.v1.ValidateJourneyRequest;
import io.strata.proto.campaign.v1.ValidateJourneyResponse;
import io.strata.proto.campaign.v1.VersionStats;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Stands in for campaign-service: writes take a marketer, reads any role; a definition without
 * nodes is refused naming {@code definition.nodes}; a journey "missing" is not found. Keeps the
 * requests.
 */
@GrpcService
public class FakeCampaignGrpcService implements CampaignService {

    static final List<com.google.protobuf.Message> requests = new CopyOnWriteArrayList<>();

    private final Access access;
    private final CurrentIdentityAssociation identity;

    public FakeCampaignGrpcService(Access access, CurrentIdentityAssociation identity) {
        this.access = access;
        this.identity = identity;
    }

    private <T> Uni<T> as(String tenant, String role, com.google.protobuf.Message request, Function<String, T> answer) {
        return access.forUser(identity.getDeferredIdentity(), tenant, role).map(caller -> {
            requests.add(request);
            return answer.apply(caller.user());
        });
    }

    private static Journey journey(String key, JourneyStatus status) {
        if (key.equals("missing")) {
            throw Errors.notFound("no journey missing");
        }
        return Journey.newBuilder()
                .setKey(key)
                .setStatus(status)
                .setLiveVersion(1)
                .build();
    }

    @Override
    public Uni<SaveJourneyResponse> saveJourney(SaveJourneyRequest request) {
        return as(request.getTenant(), Roles.MARKETER, request, user -> {
            if (!request.getDefinition().contains("\"nodes\"")) {
                throw Errors.invalid("definition.nodes", "must be a non-empty array");
            }
            if (request.getDefinition().contains("\"soon\"")) {
                throw Errors.invalid("definition.nodes.wait.for", "must be a positive ISO-8601 duration");
            }
            return SaveJourneyResponse.newBuilder()
                    .setJourney(journey("j1", JourneyStatus.JOURNEY_STATUS_DRAFT))
                    .build();
        });
    }

    @Override
    public Uni<ValidateJourneyResponse> validateJourney(ValidateJourneyRequest request) {
        return as(
                request.getTenant(),
                Roles.VIEWER,
                request,
                user -> ValidateJourneyResponse.newBuilder().setValid(true).build());
    }

    @Override
    public Uni<PublishJourneyResponse> publishJourney(PublishJourneyRequest request) {
        return as(
                request.getTenant(),
                Roles.MARKETER,
                request,
                user -> PublishJourneyResponse.newBuilder()
                        .setJourney(journey(request.getKey(), JourneyStatus.JOURNEY_STATUS_PUBLISHED))
                        .setVersion(1)
                        .build());
    }

    @Override
    public Uni<SetJourneyStatusResponse> setJourneyStatus(SetJourneyStatusRequest request) {
        return as(
                request.getTenant(),
                Roles.MARKETER,
                request,
                user -> SetJourneyStatusResponse.newBuilder()
                        .setJourney(journey(request.getKey(), request.getStatus()))
                        .build());
    }

    @Override
    public Uni<GetJourneyResponse> getJourney(GetJourneyRequest request) {
        return as(
                request.getTenant(),
                Roles.VIEWER,
                request,
                user -> GetJourneyResponse.newBuilder()
                        .setJourney(journey(request.getKey(), JourneyStatus.JOURNEY_STATUS_PUBLISHED))
                        .build());
    }

    @Override
    public Uni<ListJourneysResponse> listJourneys(ListJourneysRequest request) {
        return as(
                request.getTenant(),
                Roles.VIEWER,
                request,
                user -> ListJourneysResponse.newBuilder()
                        .addJourneys(journey("j1", JourneyStatus.JOURNEY_STATUS_PUBLISHED))
                        .build());
    }

    @Override
    public Uni<GetJourneyStatsResponse> getJourneyStats(GetJourneyStatsRequest request) {
        return as(
                request.getTenant(),
                Roles.VIEWER,
                request,
                user -> GetJourneyStatsResponse.newBuilder()
                        .setKey(request.getKey())
                        .addVersions(VersionStats.newBuilder().setVersion(1).setInstancesActive(3))
                        .build());
    }

    @Override
    public Uni<ListJourneyInstancesResponse> listJourneyInstances(ListJourneyInstancesRequest request) {
        return as(
                request.getTenant(), Roles.VIEWER, request, user -> ListJourneyInstancesResponse.getDefaultInstance());
    }

    @Override
    public Uni<GetProfileJourneysResponse> getProfileJourneys(GetProfileJourneysRequest request) {
        return as(request.getTenant(), Roles.VIEWER, request, user -> GetProfileJourneysResponse.getDefaultInstance());
    }

    @Override
    public Uni<GetExperimentResultsResponse> getExperimentResults(GetExperimentResultsRequest request) {
        return as(
                request.getTenant(),
                Roles.VIEWER,
                request,
                user -> GetExperimentResultsResponse.newBuilder()
                        .setKey(request.getKey())
                        .setVersion(1)
                        .addSplits(SplitResult.newBuilder()
                                .setNode("split")
                                .setBaseline("control")
                                .addArms(ArmResult.newBuilder()
                                        .setName("control")
                                        .setControl(true)
                                        .setVerdict("BASELINE"))
                                .addArms(ArmResult.newBuilder()
                                        .setName("a")
                                        .setLift(0.03)
                                        .setVerdict("BETTER")))
                        .build());
    }

    @Override
    public Uni<SetTemplateResponse> setTemplate(SetTemplateRequest request) {
        return as(
                request.getTenant(),
                Roles.MARKETER,
                request,
                user -> SetTemplateResponse.newBuilder()
                        .setTemplate(request.getTemplate())
                        .build());
    }

    @Override
    public Uni<ListTemplatesResponse> listTemplates(ListTemplatesRequest request) {
        return as(request.getTenant(), Roles.VIEWER, request, user -> ListTemplatesResponse.getDefaultInstance());
    }

    @Override
    public Uni<SetSenderResponse> setSender(SetSenderRequest request) {
        return as(request.getTenant(), Roles.MARKETER, request, user -> SetSenderResponse.getDefaultInstance());
    }

    @Override
    public Uni<SetSendPolicyResponse> setSendPolicy(SetSendPolicyRequest request) {
        return as(
                request.getTenant(),
                Roles.MARKETER,
                request,
                user -> SetSendPolicyResponse.newBuilder()
                        .setPolicy(request.getPolicy())
                        .build());
    }

    @Override
    public Uni<GetSendPolicyResponse> getSendPolicy(GetSendPolicyRequest request) {
        return as(
                request.getTenant(),
                Roles.VIEWER,
                request,
                user -> GetSendPolicyResponse.newBuilder()
                        .setPolicy("{}")
                        .setDefaults(true)
                        .build());
    }

    @Override
    public Uni<SetJourneyClockResponse> setJourneyClock(SetJourneyClockRequest request) {
        return as(request.getTenant(), Roles.ADMIN, request, user -> {
            var clock = JourneyClock.newBuilder().setNow(request.hasHeldAt() ? request.getHeldAt() : NOW);
            if (request.hasHeldAt()) {
                clock.setHeldAt(request.getHeldAt());
            }
            return SetJourneyClockResponse.newBuilder().setClock(clock).build();
        });
    }

    @Override
    public Uni<GetJourneyClockResponse> getJourneyClock(GetJourneyClockRequest request) {
        return as(
                request.getTenant(),
                Roles.VIEWER,
                request,
                user -> GetJourneyClockResponse.newBuilder()
                        .setClock(JourneyClock.newBuilder().setNow(NOW).setDue(3))
                        .build());
    }

    @Override
    public Uni<io.strata.proto.campaign.v1.RecordDeliveryReceiptsResponse> recordDeliveryReceipts(
            io.strata.proto.campaign.v1.RecordDeliveryReceiptsRequest request) {
        return as(
                request.getTenant(),
                Roles.MARKETER,
                request,
                user -> io.strata.proto.campaign.v1.RecordDeliveryReceiptsResponse.newBuilder()
                        .setApplied(request.getReceiptsCount())
                        .build());
    }

    @Override
    public Uni<io.strata.proto.campaign.v1.RecordRepliesResponse> recordReplies(
            io.strata.proto.campaign.v1.RecordRepliesRequest request) {
        return as(
                request.getTenant(),
                Roles.MARKETER,
                request,
                user -> io.strata.proto.campaign.v1.RecordRepliesResponse.newBuilder()
                        .setApplied(request.getRepliesCount())
                        .setOptedOut(1)
                        .build());
    }

    @Override
    public Uni<io.strata.proto.campaign.v1.CreateBroadcastResponse> createBroadcast(
            io.strata.proto.campaign.v1.CreateBroadcastRequest request) {
        return as(
                request.getTenant(),
                Roles.MARKETER,
                request,
                user -> io.strata.proto.campaign.v1.CreateBroadcastResponse.newBuilder()
                        .setVersion(1)
                        .build());
    }

    @Override
    public Uni<io.strata.proto.campaign.v1.ListBroadcastsResponse> listBroadcasts(
            io.strata.proto.campaign.v1.ListBroadcastsRequest request) {
        return as(
                request.getTenant(),
                Roles.VIEWER,
                request,
                user -> io.strata.proto.campaign.v1.ListBroadcastsResponse.newBuilder()
                        .addRuns(io.strata.proto.campaign.v1.BroadcastRun.newBuilder()
                                .setJourneyKey("spring-sale")
                                .setStatus("done")
                                .setMembers(30))
                        .build());
    }

    @Override
    public Uni<io.strata.proto.campaign.v1.PreviewBroadcastResponse> previewBroadcast(
            io.strata.proto.campaign.v1.PreviewBroadcastRequest request) {
        return as(
                request.getTenant(),
                Roles.VIEWER,
                request,
                user -> io.strata.proto.campaign.v1.PreviewBroadcastResponse.newBuilder()
                        .setMembers(30)
                        .setReachable(20)
                        .putSuppressed("no_consent", 10)
                        .build());
    }

    @Override
    public Uni<io.strata.proto.campaign.v1.SetDestinationResponse> setDestination(
            io.strata.proto.campaign.v1.SetDestinationRequest request) {
        return as(
                request.getTenant(),
                Roles.ADMIN,
                request,
                user -> io.strata.proto.campaign.v1.SetDestinationResponse.newBuilder()
                        .setDestination(request.getDestination().toBuilder().setSecret("whsec_x"))
                        .build());
    }

    @Override
    public Uni<io.strata.proto.campaign.v1.ListDestinationsResponse> listDestinations(
            io.strata.proto.campaign.v1.ListDestinationsRequest request) {
        return as(
                request.getTenant(),
                Roles.VIEWER,
                request,
                user -> io.strata.proto.campaign.v1.ListDestinationsResponse.newBuilder()
                        .addDestinations(io.strata.proto.campaign.v1.Destination.newBuilder()
                                .setId("crm")
                                .setQueue(io.strata.proto.campaign.v1.DestinationQueue.newBuilder()
                                        .setQueued(2)))
                        .build());
    }

    @Override
    public Uni<io.strata.proto.campaign.v1.DeleteDestinationResponse> deleteDestination(
            io.strata.proto.campaign.v1.DeleteDestinationRequest request) {
        return as(
                request.getTenant(),
                Roles.ADMIN,
                request,
                user -> io.strata.proto.campaign.v1.DeleteDestinationResponse.getDefaultInstance());
    }

    @Override
    public Uni<io.strata.proto.campaign.v1.ReplayDestinationResponse> replayDestination(
            io.strata.proto.campaign.v1.ReplayDestinationRequest request) {
        return as(
                request.getTenant(),
                Roles.ADMIN,
                request,
                user -> io.strata.proto.campaign.v1.ReplayDestinationResponse.newBuilder()
                        .setQueued(5)
                        .build());
    }

    private static final com.google.protobuf.Timestamp NOW = com.google.protobuf.Timestamp.newBuilder()
            .setSeconds(1_796_000_000L)
            .build();
}
