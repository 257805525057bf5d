package io.strata.gateway.client;

import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.security.SignedIn;
import io.strata.platform.grpc.ServiceCallInterceptor;
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
import io.strata.proto.insight.v1.MutinyInsightServiceGrpc.MutinyInsightServiceStub;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * insight-service's InsightService over gRPC, for a signed-in user of the tenant (the request's
 * tenant is always the user's), with the analyses' own deadline: they read the store, not a row.
 */
@ApplicationScoped
public class InsightClient {

    private final MutinyInsightServiceStub insight;
    private final long deadlineMillis;

    public InsightClient(@GrpcClient("insight") MutinyInsightServiceStub insight, GatewayConfig config) {
        this.insight = insight;
        this.deadlineMillis = config.calls().analysisDeadline().toMillis();
    }

    private MutinyInsightServiceStub forUser(SignedIn user) {
        return insight.withOption(ServiceCallInterceptor.FOR_USER, user.token())
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    public Uni<GetTgiResponse> tgi(SignedIn user, GetTgiRequest.Builder request) {
        return forUser(user).getTgi(request.setTenant(user.tenant()).build());
    }

    public Uni<GetAssociationRulesResponse> rules(SignedIn user, GetAssociationRulesRequest.Builder request) {
        return forUser(user)
                .getAssociationRules(request.setTenant(user.tenant()).build());
    }

    public Uni<GetFunnelResponse> funnel(SignedIn user, GetFunnelRequest.Builder request) {
        return forUser(user).getFunnel(request.setTenant(user.tenant()).build());
    }

    public Uni<GetRetentionResponse> retention(SignedIn user, GetRetentionRequest.Builder request) {
        return forUser(user).getRetention(request.setTenant(user.tenant()).build());
    }

    public Uni<GetGrowResponse> grow(SignedIn user, GetGrowRequest.Builder request) {
        return forUser(user).getGrow(request.setTenant(user.tenant()).build());
    }

    public Uni<GetEconomicsResponse> economics(SignedIn user, GetEconomicsRequest.Builder request) {
        return forUser(user).getEconomics(request.setTenant(user.tenant()).build());
    }

    public Uni<ImportCostsResponse> costs(SignedIn user, ImportCostsRequest.Builder request) {
        return forUser(user).importCosts(request.setTenant(user.tenant()).build());
    }

    public Uni<GetActivityResponse> activity(SignedIn user, GetActivityRequest.Builder request) {
        return forUser(user).getActivity(request.setTenant(user.tenant()).build());
    }

    public Uni<GetInsightStatusResponse> status(SignedIn user) {
        return forUser(user)
                .getInsightStatus(GetInsightStatusRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build());
    }
}
