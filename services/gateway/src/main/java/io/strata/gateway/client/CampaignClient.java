package io.strata.gateway.client;

import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.security.SignedIn;
import io.strata.platform.grpc.ServiceCallInterceptor;
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
import io.strata.proto.campaign.v1.JourneyStatus;
import io.strata.proto.campaign.v1.ListJourneyInstancesRequest;
import io.strata.proto.campaign.v1.ListJourneyInstancesResponse;
import io.strata.proto.campaign.v1.ListJourneysRequest;
import io.strata.proto.campaign.v1.ListJourneysResponse;
import io.strata.proto.campaign.v1.ListTemplatesRequest;
import io.strata.proto.campaign.v1.ListTemplatesResponse;
import io.strata.proto.campaign.v1.MutinyCampaignServiceGrpc.MutinyCampaignServiceStub;
import io.strata.proto.campaign.v1.PublishJourneyRequest;
import io.strata.proto.campaign.v1.PublishJourneyResponse;
import io.strata.proto.campaign.v1.RecordDeliveryReceiptsRequest;
import io.strata.proto.campaign.v1.RecordDeliveryReceiptsResponse;
import io.strata.proto.campaign.v1.RecordRepliesRequest;
import io.strata.proto.campaign.v1.RecordRepliesResponse;
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
import io.strata.proto.campaign.v1.Template;
import io.strata.proto.campaign.v1.ValidateJourneyRequest;
import io.strata.proto.campaign.v1.ValidateJourneyResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * campaign-service's CampaignService over gRPC, for a signed-in user of the tenant (the request's
 * tenant is always the user's), with the calls' deadline.
 */
@ApplicationScoped
public class CampaignClient {

    private final MutinyCampaignServiceStub campaign;
    private final long deadlineMillis;

    public CampaignClient(@GrpcClient("campaign") MutinyCampaignServiceStub campaign, GatewayConfig config) {
        this.campaign = campaign;
        this.deadlineMillis = config.calls().analysisDeadline().toMillis();
    }

    private MutinyCampaignServiceStub forUser(SignedIn user) {
        return campaign.withOption(ServiceCallInterceptor.FOR_USER, user.token())
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    public Uni<SaveJourneyResponse> save(SignedIn user, String definition) {
        return forUser(user)
                .saveJourney(SaveJourneyRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setDefinition(definition)
                        .build());
    }

    public Uni<ValidateJourneyResponse> validate(SignedIn user, String definition) {
        return forUser(user)
                .validateJourney(ValidateJourneyRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setDefinition(definition)
                        .build());
    }

    public Uni<PublishJourneyResponse> publish(SignedIn user, String key) {
        return forUser(user)
                .publishJourney(PublishJourneyRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setKey(key)
                        .build());
    }

    public Uni<SetJourneyStatusResponse> status(SignedIn user, String key, JourneyStatus status) {
        return forUser(user)
                .setJourneyStatus(SetJourneyStatusRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setKey(key)
                        .setStatus(status)
                        .build());
    }

    public Uni<GetJourneyResponse> get(SignedIn user, String key) {
        return forUser(user)
                .getJourney(GetJourneyRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setKey(key)
                        .build());
    }

    public Uni<ListJourneysResponse> list(SignedIn user) {
        return forUser(user)
                .listJourneys(ListJourneysRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build());
    }

    public Uni<GetJourneyStatsResponse> stats(SignedIn user, String key, int version) {
        return forUser(user)
                .getJourneyStats(GetJourneyStatsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setKey(key)
                        .setVersion(version)
                        .build());
    }

    public Uni<ListJourneyInstancesResponse> instances(SignedIn user, ListJourneyInstancesRequest.Builder request) {
        return forUser(user)
                .listJourneyInstances(request.setTenant(user.tenant()).build());
    }

    public Uni<GetProfileJourneysResponse> profile(SignedIn user, String profileId) {
        return forUser(user)
                .getProfileJourneys(GetProfileJourneysRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setProfileId(profileId)
                        .build());
    }

    public Uni<GetExperimentResultsResponse> experiment(SignedIn user, String key, int version, double alpha) {
        return forUser(user)
                .getExperimentResults(GetExperimentResultsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setKey(key)
                        .setVersion(version)
                        .setAlpha(alpha)
                        .build());
    }

    public Uni<SetTemplateResponse> setTemplate(SignedIn user, Template template) {
        return forUser(user)
                .setTemplate(SetTemplateRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setTemplate(template)
                        .build());
    }

    public Uni<ListTemplatesResponse> templates(SignedIn user) {
        return forUser(user)
                .listTemplates(ListTemplatesRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build());
    }

    public Uni<SetSenderResponse> setSender(SignedIn user, String channel, String sender, boolean approved) {
        return forUser(user)
                .setSender(SetSenderRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setChannel(channel)
                        .setSender(sender)
                        .setApproved(approved)
                        .build());
    }

    public Uni<SetSendPolicyResponse> setPolicy(SignedIn user, String policy) {
        return forUser(user)
                .setSendPolicy(SetSendPolicyRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setPolicy(policy)
                        .build());
    }

    public Uni<GetSendPolicyResponse> policy(SignedIn user) {
        return forUser(user)
                .getSendPolicy(GetSendPolicyRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build());
    }

    /** Holds the tenant's journey clock at {@code heldAt}, or releases it ({@code null}). */
    public Uni<SetJourneyClockResponse> setClock(SignedIn user, com.google.protobuf.Timestamp heldAt) {
        var request = SetJourneyClockRequest.newBuilder().setTenant(user.tenant());
        if (heldAt != null) {
            request.setHeldAt(heldAt);
        }
        return forUser(user).setJourneyClock(request.build());
    }

    public Uni<GetJourneyClockResponse> clock(SignedIn user) {
        return forUser(user)
                .getJourneyClock(GetJourneyClockRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build());
    }

    public Uni<RecordDeliveryReceiptsResponse> receipts(SignedIn user, RecordDeliveryReceiptsRequest.Builder request) {
        return forUser(user)
                .recordDeliveryReceipts(request.setTenant(user.tenant()).build());
    }

    public Uni<RecordRepliesResponse> replies(SignedIn user, RecordRepliesRequest.Builder request) {
        return forUser(user).recordReplies(request.setTenant(user.tenant()).build());
    }

    public Uni<io.strata.proto.campaign.v1.CreateBroadcastResponse> createBroadcast(
            SignedIn user, io.strata.proto.campaign.v1.CreateBroadcastRequest.Builder request) {
        return forUser(user).createBroadcast(request.setTenant(user.tenant()).build());
    }

    public Uni<io.strata.proto.campaign.v1.ListBroadcastsResponse> broadcasts(SignedIn user) {
        return forUser(user)
                .listBroadcasts(io.strata.proto.campaign.v1.ListBroadcastsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build());
    }

    public Uni<io.strata.proto.campaign.v1.PreviewBroadcastResponse> previewBroadcast(
            SignedIn user, io.strata.proto.campaign.v1.PreviewBroadcastRequest.Builder request) {
        return forUser(user).previewBroadcast(request.setTenant(user.tenant()).build());
    }

    public Uni<io.strata.proto.campaign.v1.SetDestinationResponse> setDestination(
            SignedIn user, io.strata.proto.campaign.v1.SetDestinationRequest.Builder request) {
        return forUser(user).setDestination(request.setTenant(user.tenant()).build());
    }

    public Uni<io.strata.proto.campaign.v1.ListDestinationsResponse> destinations(SignedIn user) {
        return forUser(user)
                .listDestinations(io.strata.proto.campaign.v1.ListDestinationsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build());
    }

    public Uni<io.strata.proto.campaign.v1.DeleteDestinationResponse> deleteDestination(SignedIn user, String id) {
        return forUser(user)
                .deleteDestination(io.strata.proto.campaign.v1.DeleteDestinationRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setId(id)
                        .build());
    }

    public Uni<io.strata.proto.campaign.v1.ReplayDestinationResponse> replayDestination(
            SignedIn user, String id, com.google.protobuf.Timestamp from) {
        return forUser(user)
                .replayDestination(io.strata.proto.campaign.v1.ReplayDestinationRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setId(id)
                        .setFrom(from)
                        .build());
    }
}
