package io.strata.gateway.rest;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelRequest;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelResponse;
import io.strata.proto.segmentation.v1.CrowdSchedule;
import io.strata.proto.segmentation.v1.CrowdService;
import io.strata.proto.segmentation.v1.CrowdTrend;
import io.strata.proto.segmentation.v1.CustomCrowd;
import io.strata.proto.segmentation.v1.FindCustomCrowdsRequest;
import io.strata.proto.segmentation.v1.FindCustomCrowdsResponse;
import io.strata.proto.segmentation.v1.GetCrowdTrendsRequest;
import io.strata.proto.segmentation.v1.GetCrowdTrendsResponse;
import io.strata.proto.segmentation.v1.ListCrowdSchedulesRequest;
import io.strata.proto.segmentation.v1.ListCrowdSchedulesResponse;
import io.strata.proto.segmentation.v1.Tier;
import io.strata.proto.segmentation.v1.TrendPoint;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for segmentation-service's CrowdService: analysts run, saving takes a marketer; no
 * dimensions is refused naming {@code dimensions}; the answers are two crowds and three tiers.
 * Keeps the requests.
 */
@GrpcService
public class FakeCrowdGrpcService implements CrowdService {

    static final List<com.google.protobuf.Message> requests = new CopyOnWriteArrayList<>();

    private final Access access;
    private final CurrentIdentityAssociation identity;

    public FakeCrowdGrpcService(Access access, CurrentIdentityAssociation identity) {
        this.access = access;
        this.identity = identity;
    }

    @Override
    public Uni<FindCustomCrowdsResponse> findCustomCrowds(FindCustomCrowdsRequest request) {
        String role = request.getSaveAs().isEmpty() ? Roles.ANALYST : Roles.MARKETER;
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), role)
                .map(caller -> {
                    requests.add(request);
                    if (request.getDimensionsCount() == 0) {
                        throw Errors.invalid("dimensions", "1 to 6 profile fields");
                    }
                    return FindCustomCrowdsResponse.newBuilder()
                            .setConsumers(30)
                            .setChosen(2)
                            .addCrowds(CustomCrowd.newBuilder().setNumber(1).setMembers(20))
                            .addCrowds(CustomCrowd.newBuilder().setNumber(2).setMembers(10))
                            .build();
                });
    }

    @Override
    public Uni<GetCrowdTrendsResponse> getCrowdTrends(GetCrowdTrendsRequest request) {
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), Roles.VIEWER)
                .map(caller -> {
                    requests.add(request);
                    if (request.getPeriod().equals("year")) {
                        throw Errors.invalid("period", "day, week or month");
                    }
                    GetCrowdTrendsResponse.Builder out =
                            GetCrowdTrendsResponse.newBuilder().addPeriods("2026-11-01");
                    request.getSegmentIdsList()
                            .forEach(id -> out.addCrowds(CrowdTrend.newBuilder()
                                    .setSegmentId(id)
                                    .addPoints(TrendPoint.newBuilder()
                                            .setPeriod("2026-11-01")
                                            .setSize(5)
                                            .setPenetration(0.5))));
                    return out.build();
                });
    }

    @Override
    public Uni<ListCrowdSchedulesResponse> listCrowdSchedules(ListCrowdSchedulesRequest request) {
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), Roles.VIEWER)
                .map(caller -> {
                    requests.add(request);
                    return ListCrowdSchedulesResponse.newBuilder()
                            .addSchedules(CrowdSchedule.newBuilder()
                                    .setSaveAs("brand crowd")
                                    .setEveryDays(7))
                            .build();
                });
    }

    @Override
    public Uni<AnalyzeReverseFunnelResponse> analyzeReverseFunnel(AnalyzeReverseFunnelRequest request) {
        String role = request.getSaveAs().isEmpty() ? Roles.ANALYST : Roles.MARKETER;
        return access.forUser(identity.getDeferredIdentity(), request.getTenant(), role)
                .map(caller -> {
                    requests.add(request);
                    return AnalyzeReverseFunnelResponse.newBuilder()
                            .setProfiles(100)
                            .addTiers(Tier.newBuilder().setTier("core").setSize(5))
                            .addTiers(
                                    Tier.newBuilder().setTier("high_potential").setSize(20))
                            .addTiers(Tier.newBuilder().setTier("broad").setSize(75))
                            .build();
                });
    }
}
