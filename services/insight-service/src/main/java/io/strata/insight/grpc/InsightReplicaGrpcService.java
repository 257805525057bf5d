package io.strata.insight.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.insight.config.InsightConfig;
import io.strata.insight.feed.FeedLoop;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.insight.v1.ComputePartialRequest;
import io.strata.proto.insight.v1.ComputePartialResponse;
import io.strata.proto.insight.v1.DescribeReplicaRequest;
import io.strata.proto.insight.v1.DescribeReplicaResponse;
import io.strata.proto.insight.v1.InsightReplicaService;
import jakarta.annotation.security.RolesAllowed;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The calls between insight-service's replicas (scatter-gather over the feed's partitions, see
 * {@link io.strata.insight.service.ReplicaQueries}): for insight-service's own client only. The
 * query inside a partial request is checked again as a user's would be.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class InsightReplicaGrpcService implements InsightReplicaService {

    private final Partials partials;
    private final FeedLoop feed;
    private final Access access;
    private final CurrentIdentityAssociation identity;
    private final InsightConfig config;

    public InsightReplicaGrpcService(
            Partials partials,
            FeedLoop feed,
            Access access,
            CurrentIdentityAssociation identity,
            InsightConfig config) {
        this.partials = partials;
        this.feed = feed;
        this.access = access;
        this.identity = identity;
        this.config = config;
    }

    @Override
    public Uni<DescribeReplicaResponse> describeReplica(DescribeReplicaRequest request) {
        return sibling(() -> Uni.createFrom()
                .item(DescribeReplicaResponse.newBuilder()
                        .setReplica(partials.state())
                        .build()));
    }

    @Override
    public Uni<ComputePartialResponse> computePartial(ComputePartialRequest request) {
        return sibling(() -> {
            List<Integer> partitions = live(request.getPartitionsList());
            return switch (request.getQueryCase()) {
                case TGI ->
                    partials.partial(Partials.ask(tenant(request.getTgi().getTenant(), request.getTgi())), partitions);
                case RETENTION ->
                    partials.partial(
                            Partials.ask(tenant(request.getRetention().getTenant(), request.getRetention())),
                            partitions);
                case GROW ->
                    partials.partial(
                            Partials.ask(tenant(request.getGrow().getTenant(), request.getGrow())), partitions);
                case ASSOCIATION ->
                    partials.partial(
                            Partials.ask(tenant(request.getAssociation().getTenant(), request.getAssociation())),
                            partitions);
                case FUNNEL ->
                    partials.partial(
                            Partials.ask(tenant(request.getFunnel().getTenant(), request.getFunnel())), partitions);
                case ECONOMICS ->
                    partials.partial(
                            Partials.ask(tenant(request.getEconomics().getTenant(), request.getEconomics())),
                            partitions);
                case ACTIVITY ->
                    partials.partial(
                            Partials.ask(tenant(request.getActivity().getTenant(), request.getActivity())), partitions);
                case STATUS ->
                    partials.status(
                            tenant(request.getStatus().getTenant(), request.getStatus())
                                    .getTenant(),
                            partitions);
                case QUERY_NOT_SET -> throw Errors.invalid("query", "a query is required");
            };
        });
    }

    /** The partitions asked, each live here; FAILED_PRECONDITION naming those that are not. */
    private List<Integer> live(List<Integer> asked) {
        if (asked.isEmpty()) {
            throw Errors.invalid("partitions", "at least one partition is required");
        }
        Set<Integer> live = feed.live();
        Set<Integer> not = new TreeSet<>();
        for (int p : asked) {
            if (!live.contains(p)) {
                not.add(p);
            }
        }
        if (!not.isEmpty()) {
            throw Errors.precondition("partitions " + not + " are not served by this replica (now)");
        }
        return List.copyOf(new TreeSet<>(asked));
    }

    private static <T> T tenant(String tenant, T request) {
        if (tenant == null || tenant.isBlank()) {
            throw Errors.invalid("tenant", "tenant is required");
        }
        return request;
    }

    /** The call is another replica's (insight-service's own client), within its deadline. */
    private <T> Uni<T> sibling(Supplier<Uni<T>> call) {
        return access.call(identity.getDeferredIdentity())
                .forService(config.replicas().clients())
                .chain(c -> c.within(Uni.createFrom().deferred(call::get)));
    }
}
