package io.strata.segmentation.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Caller;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelRequest;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelResponse;
import io.strata.proto.segmentation.v1.CrowdService;
import io.strata.proto.segmentation.v1.FindCustomCrowdsRequest;
import io.strata.proto.segmentation.v1.FindCustomCrowdsResponse;
import io.strata.proto.segmentation.v1.GetCrowdTrendsRequest;
import io.strata.proto.segmentation.v1.GetCrowdTrendsResponse;
import io.strata.proto.segmentation.v1.ListCrowdSchedulesRequest;
import io.strata.proto.segmentation.v1.ListCrowdSchedulesResponse;
import io.strata.segmentation.service.CrowdAnalyses;
import jakarta.annotation.security.RolesAllowed;
import java.util.function.Function;

/**
 * Custom strategic crowds and the reverse funnel over gRPC (docs/crowds.md): analysts run them;
 * saving what they find as audiences takes a marketer.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class CrowdGrpcService implements CrowdService {

    private final CrowdAnalyses crowds;
    private final Access access;
    private final CurrentIdentityAssociation identity;

    public CrowdGrpcService(CrowdAnalyses crowds, Access access, CurrentIdentityAssociation identity) {
        this.crowds = crowds;
        this.access = access;
        this.identity = identity;
    }

    @Override
    public Uni<FindCustomCrowdsResponse> findCustomCrowds(FindCustomCrowdsRequest request) {
        String role = request.getSaveAs().isEmpty() ? Roles.ANALYST : Roles.MARKETER;
        return user(
                request.getTenant(), role, caller -> crowds.customCrowds(CrowdAnalyses.filled(request), caller.user()));
    }

    @Override
    public Uni<AnalyzeReverseFunnelResponse> analyzeReverseFunnel(AnalyzeReverseFunnelRequest request) {
        String role = request.getSaveAs().isEmpty() ? Roles.ANALYST : Roles.MARKETER;
        return user(request.getTenant(), role, caller -> {
            check(request);
            return crowds.reverseFunnel(request, caller.user());
        });
    }

    @Override
    public Uni<GetCrowdTrendsResponse> getCrowdTrends(GetCrowdTrendsRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> crowds.trends(request));
    }

    @Override
    public Uni<ListCrowdSchedulesResponse> listCrowdSchedules(ListCrowdSchedulesRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> crowds.schedules(request.getTenant()));
    }

    static void check(AnalyzeReverseFunnelRequest r) {
        String method = r.getMethod();
        if (!method.isEmpty() && !method.equals("centroid") && !method.equals("positive_unlabeled")) {
            throw Errors.invalid("method", "centroid or positive_unlabeled, was '" + method + "'");
        }
        if (r.getExpansion() < 0 || r.getExpansion() > 100_000_000L) {
            throw Errors.invalid("expansion", "0 (four times the core) to 100,000,000, was " + r.getExpansion());
        }
        if (!(r.getHiddenShare() >= 0 && r.getHiddenShare() <= 0.5)) {
            throw Errors.invalid("hidden_share", "in (0, 0.5] (0: 0.2), was " + r.getHiddenShare());
        }
        if (!r.getCoreSegmentId().isEmpty() && !r.getCoreSegmentId().matches("[A-Za-z0-9_-]{1,64}")) {
            throw Errors.invalid("core_segment_id", "an audience id, was '" + r.getCoreSegmentId() + "'");
        }
        CrowdAnalyses.checkSaveAs(r.getSaveAs());
    }

    private <T> Uni<T> user(String tenant, String role, Function<Caller, Uni<T>> call) {
        return access.call(identity.getDeferredIdentity())
                .forUser(tenant, role)
                .chain(c -> c.within(Uni.createFrom().deferred(() -> call.apply(c))));
    }
}
