package io.strata.insight.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Uni;
import io.strata.insight.client.Replicas;
import io.strata.insight.feed.FeedLoop;
import io.strata.platform.errors.Errors;
import io.strata.platform.errors.Reason;
import io.strata.platform.replicas.PeerReplicas;
import io.strata.platform.replicas.PeerReplicas.Plan;
import io.strata.platform.replicas.PeerReplicas.View;
import io.strata.proto.insight.v1.ComputePartialRequest;
import io.strata.proto.insight.v1.ComputePartialResponse;
import io.strata.proto.insight.v1.MutinyInsightReplicaServiceGrpc.MutinyInsightReplicaServiceStub;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A query over every partition of the feed: this replica answers for the partitions it serves
 * ({@link FeedLoop#live()}) and asks the replica serving each other partition for its partial
 * answer ({@code InsightReplicaService.ComputePartial}); the caller adds the partials up. Alone (no
 * peers configured), this replica answers from everything its store holds. A partition that no
 * replica serves (loading after a rebalance) or a replica that fails makes the query ask who
 * serves what and try once more, then UNAVAILABLE (retry shortly) rather than a short answer.
 */
@ApplicationScoped
public class ReplicaQueries {

    private static final Duration RETRY = Duration.ofSeconds(1);

    private final Replicas replicas;
    private final FeedLoop feed;

    public ReplicaQueries(Replicas replicas, FeedLoop feed) {
        this.replicas = replicas;
        this.feed = feed;
    }

    /**
     * The partial answers to the query of every partition: this replica's (from {@code local}, given
     * the partitions to answer for, null meaning all the store holds) first, then the peers'.
     */
    public Uni<List<ComputePartialResponse>> gather(
            ComputePartialRequest query, Function<List<Integer>, Uni<ComputePartialResponse>> local) {
        if (replicas.alone()) {
            return local.apply(null).map(List::of);
        }
        return attempt(query, local, replicas.view(), false);
    }

    private Uni<List<ComputePartialResponse>> attempt(
            ComputePartialRequest query,
            Function<List<Integer>, Uni<ComputePartialResponse>> local,
            View<MutinyInsightReplicaServiceStub> view,
            boolean again) {
        Plan<MutinyInsightReplicaServiceStub> plan = PeerReplicas.plan(feed.feedPartitions(), feed.live(), view);
        if (plan == null) {
            if (again) {
                throw loading(missing(view));
            }
            return replicas.refresh().chain(fresh -> attempt(query, local, fresh, true));
        }
        List<Uni<ComputePartialResponse>> answers = new ArrayList<>();
        if (!plan.here().isEmpty()) {
            answers.add(local.apply(plan.here()));
        }
        plan.peers()
                .forEach((peer, partitions) -> answers.add(replicas.call(peer)
                        .computePartial(query.toBuilder()
                                .clearPartitions()
                                .addAllPartitions(partitions)
                                .build())));
        Uni<List<ComputePartialResponse>> all = answers.isEmpty()
                ? Uni.createFrom().item(List.of())
                : Uni.join().all(answers).andFailFast();
        return all.onFailure(ReplicaQueries::moved).recoverWithUni(failure -> {
            if (again) {
                return Uni.createFrom()
                        .failure(loading("a replica did not answer for its partitions (stopped, or they moved)"));
            }
            // a partition moved, or a replica stopped: ask who serves what, then once more
            return replicas.refresh().chain(fresh -> attempt(query, local, fresh, true));
        });
    }

    /** A peer no longer serving a partition asked, or not reachable. */
    private static boolean moved(Throwable failure) {
        if (failure instanceof StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            return code == Status.Code.FAILED_PRECONDITION
                    || code == Status.Code.UNAVAILABLE
                    || code == Status.Code.DEADLINE_EXCEEDED;
        }
        return false;
    }

    /** Replicas and partitions between them: retry shortly. */
    static StatusRuntimeException loading(String why) {
        return Errors.unavailable(Reason.PARTITION_LOADING, why + "; retry shortly", RETRY);
    }

    private String missing(View<MutinyInsightReplicaServiceStub> view) {
        int partitions = feed.feedPartitions();
        if (partitions == 0) {
            return "the feed's partitions are not known yet";
        }
        Set<Integer> missing = new TreeSet<>();
        for (int p = 0; p < partitions; p++) {
            if (!feed.live().contains(p) && !view.owners().containsKey(p)) {
                missing.add(p);
            }
        }
        return "partitions " + missing + " of the feed are loading (a replica started, or the partitions moved)";
    }
}
