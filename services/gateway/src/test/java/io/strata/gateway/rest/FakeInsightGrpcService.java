package io.strata.gateway.rest;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.insight.v1.ActivityPeriod;
import io.strata.proto.insight.v1.EventCount;
import io.strata.proto.insight.v1.FunnelGroup;
import io.strata.proto.insight.v1.FunnelStepResult;
import io.strata.proto.insight.v1.GetActivityRequest;
import io.strata.proto.insight.v1.GetActivityResponse;
import io.strata.proto.insight.v1.GetAssociationRulesRequest;
import io.strata.proto.insight.v1.GetAssociationRulesResponse;
import io.strata.proto.insight.v1.GetEconomicsRequest;
import io.strata.proto.insight.v1.GetEconomicsResponse;
import io.strata.proto.insight.v1.GetFunnelRequest;
import io.strata.proto.insight.v1.GetFunnelResponse;
import io.strata.proto.insight.v1.GetGrowRequest;
import io.strata.proto.insight.v1.GetGrowResponse;
import io.strata.proto.insight.v1.GetInsightStatusRequest;
import io.strata.proto.insight.v1.GetInsightStatusResponse;
import io.strata.proto.insight.v1.GetRetentionRequest;
import io.strata.proto.insight.v1.GetRetentionResponse;
import io.strata.proto.insight.v1.GetTgiRequest;
import io.strata.proto.insight.v1.GetTgiResponse;
import io.strata.proto.insight.v1.ImportCostsRequest;
import io.strata.proto.insight.v1.ImportCostsResponse;
import io.strata.proto.insight.v1.InsightService;
import io.strata.proto.insight.v1.TgiRow;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for insight-service: analysts of tenant "demo" get a TGI row for any audience but
 * "missing" (NOT_FOUND), a base "bogus" is refused naming {@code base}; the other analyses answer
 * with one row each; the activity of any role has two weeks, more than 20 top events refused naming
 * {@code top_events}. Keeps the requests.
 */
@GrpcService
public class FakeInsightGrpcService implements InsightService {

    static final List<com.google.protobuf.Message> requests = new CopyOnWriteArrayList<>();

    private final Access access;
    private final CurrentIdentityAssociation identity;

    public FakeInsightGrpcService(Access access, CurrentIdentityAssociation identity) {
        this.access = access;
        this.identity = identity;
    }

    private <T> Uni<T> checked(
            String tenant, String role, com.google.protobuf.Message request, java.util.function.Supplier<T> call) {
        return access.forUser(identity.getDeferredIdentity(), tenant, role).map(caller -> {
            requests.add(request);
            return call.get();
        });
    }

    @Override
    public Uni<GetTgiResponse> getTgi(GetTgiRequest request) {
        return checked(request.getTenant(), Roles.ANALYST, request, () -> {
            if (request.getBase().equals("bogus")) {
                throw Errors.invalid("base", "all, segment:<id> or buyers:<category>, was 'bogus'");
            }
            if (request.getAudience().equals("missing")) {
                throw Errors.notFound("audience: audience 'missing' has no members in the analytical store");
            }
            return GetTgiResponse.newBuilder()
                    .setAudienceSize(280)
                    .setBaseSize(1500)
                    .setFeatures(1)
                    .addRows(TgiRow.newBuilder()
                            .setDimension("topic")
                            .setValue("parenting")
                            .setAudienceWith(70)
                            .setAudience(280)
                            .setBaseWith(625)
                            .setBase(1500)
                            .setIndex(60)
                            .setLower(48.56)
                            .setUpper(74.13)
                            .setFlag("none"))
                    .build();
        });
    }

    @Override
    public Uni<GetAssociationRulesResponse> getAssociationRules(GetAssociationRulesRequest request) {
        return checked(
                request.getTenant(),
                Roles.ANALYST,
                request,
                () -> GetAssociationRulesResponse.newBuilder().setBaskets(10).build());
    }

    @Override
    public Uni<GetFunnelResponse> getFunnel(GetFunnelRequest request) {
        return checked(
                request.getTenant(),
                Roles.ANALYST,
                request,
                () -> GetFunnelResponse.newBuilder()
                        .addGroups(FunnelGroup.newBuilder()
                                .addSteps(FunnelStepResult.newBuilder()
                                        .setLabel("Add to cart")
                                        .setPeople(100)))
                        .build());
    }

    @Override
    public Uni<GetRetentionResponse> getRetention(GetRetentionRequest request) {
        return checked(request.getTenant(), Roles.ANALYST, request, GetRetentionResponse::getDefaultInstance);
    }

    @Override
    public Uni<GetGrowResponse> getGrow(GetGrowRequest request) {
        return checked(request.getTenant(), Roles.ANALYST, request, GetGrowResponse::getDefaultInstance);
    }

    @Override
    public Uni<ImportCostsResponse> importCosts(ImportCostsRequest request) {
        return checked(request.getTenant(), Roles.MARKETER, request, () -> {
            for (int i = 0; i < request.getRowsCount(); i++) {
                if (request.getRows(i).getCost() < 0) {
                    throw Errors.invalid("rows[" + i + "].cost", "a cost of 0 or more");
                }
            }
            return ImportCostsResponse.newBuilder()
                    .setImported(request.getRowsCount())
                    .setHeld(request.getRowsCount())
                    .build();
        });
    }

    @Override
    public Uni<GetEconomicsResponse> getEconomics(GetEconomicsRequest request) {
        return checked(request.getTenant(), Roles.ANALYST, request, GetEconomicsResponse::getDefaultInstance);
    }

    @Override
    public Uni<GetActivityResponse> getActivity(GetActivityRequest request) {
        return checked(request.getTenant(), Roles.VIEWER, request, () -> {
            if (request.getTopEvents() > 20) {
                throw Errors.invalid("top_events", "1 to 20 (0: 5), was " + request.getTopEvents());
            }
            return GetActivityResponse.newBuilder()
                    .addTopEvents("Content Viewed")
                    .addTopEvents("Order Completed")
                    .addPeriods(ActivityPeriod.newBuilder()
                            .setStart("2026-03-02")
                            .setEvents(19)
                            .setProfiles(12)
                            .addByEvent(EventCount.newBuilder()
                                    .setName("Content Viewed")
                                    .setEvents(12))
                            .addByEvent(EventCount.newBuilder()
                                    .setName("Order Completed")
                                    .setEvents(1)))
                    .addPeriods(ActivityPeriod.newBuilder()
                            .setStart("2026-03-09")
                            .addByEvent(EventCount.newBuilder().setName("Content Viewed"))
                            .addByEvent(EventCount.newBuilder().setName("Order Completed")))
                    .build();
        });
    }

    @Override
    public Uni<GetInsightStatusResponse> getInsightStatus(GetInsightStatusRequest request) {
        return checked(
                request.getTenant(),
                Roles.VIEWER,
                request,
                () -> GetInsightStatusResponse.newBuilder()
                        .setEvents(540)
                        .setProfiles(400)
                        .setCaughtUp(true)
                        .build());
    }
}
