package io.strata.gateway.client;

import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.security.SignedIn;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelRequest;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelResponse;
import io.strata.proto.segmentation.v1.FindCustomCrowdsRequest;
import io.strata.proto.segmentation.v1.FindCustomCrowdsResponse;
import io.strata.proto.segmentation.v1.GetCrowdTrendsRequest;
import io.strata.proto.segmentation.v1.GetCrowdTrendsResponse;
import io.strata.proto.segmentation.v1.ListCrowdSchedulesRequest;
import io.strata.proto.segmentation.v1.ListCrowdSchedulesResponse;
import io.strata.proto.segmentation.v1.MutinyCrowdServiceGrpc.MutinyCrowdServiceStub;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * segmentation-service's CrowdService over gRPC, for a signed-in user of the tenant (the request's
 * tenant is always the user's), with the analyses' deadline: they read every profile.
 */
@ApplicationScoped
public class CrowdClient {

    private final MutinyCrowdServiceStub crowds;
    private final long deadlineMillis;

    public CrowdClient(@GrpcClient("segmentation") MutinyCrowdServiceStub crowds, GatewayConfig config) {
        this.crowds = crowds;
        this.deadlineMillis = config.calls().analysisDeadline().toMillis();
    }

    private MutinyCrowdServiceStub forUser(SignedIn user) {
        return crowds.withOption(ServiceCallInterceptor.FOR_USER, user.token())
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    public Uni<FindCustomCrowdsResponse> custom(SignedIn user, FindCustomCrowdsRequest.Builder request) {
        return forUser(user).findCustomCrowds(request.setTenant(user.tenant()).build());
    }

    public Uni<GetCrowdTrendsResponse> trends(SignedIn user, GetCrowdTrendsRequest.Builder request) {
        return forUser(user).getCrowdTrends(request.setTenant(user.tenant()).build());
    }

    public Uni<ListCrowdSchedulesResponse> schedules(SignedIn user) {
        return forUser(user)
                .listCrowdSchedules(ListCrowdSchedulesRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build());
    }

    public Uni<AnalyzeReverseFunnelResponse> reverseFunnel(SignedIn user, AnalyzeReverseFunnelRequest.Builder request) {
        return forUser(user)
                .analyzeReverseFunnel(request.setTenant(user.tenant()).build());
    }
}
