package io.strata.insight.client;

import io.grpc.ManagedChannel;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.strata.insight.config.InsightConfig;
import io.strata.platform.replicas.PeerReplicas;
import io.strata.proto.insight.v1.DescribeReplicaRequest;
import io.strata.proto.insight.v1.MutinyInsightReplicaServiceGrpc;
import io.strata.proto.insight.v1.MutinyInsightReplicaServiceGrpc.MutinyInsightReplicaServiceStub;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The other replicas of insight-service ({@code strata.insight.replicas.peers}) and the partitions
 * each serves (services/platform {@link PeerReplicas}); calls between them carry this service's
 * own token.
 */
@Singleton
public class Replicas extends PeerReplicas<MutinyInsightReplicaServiceStub> {

    /** The largest partial answer read (a query's counts per feature or cohort: well below this). */
    static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;

    public Replicas(InsightConfig config, ReplicaTokens tokens) {
        super(
                new Settings(
                        config.replicas().peers().orElse(List.of()),
                        config.replicas().refreshEvery(),
                        config.replicas().callTimeout()),
                new Protocol<>() {
                    @Override
                    public MutinyInsightReplicaServiceStub stub(ManagedChannel channel) {
                        return MutinyInsightReplicaServiceGrpc.newMutinyStub(channel);
                    }

                    @Override
                    public Uni<Described> describe(MutinyInsightReplicaServiceStub stub) {
                        return stub.describeReplica(DescribeReplicaRequest.getDefaultInstance())
                                .map(r -> new Described(
                                        r.getReplica().getReplicaId(),
                                        r.getReplica().getLivePartitionsList(),
                                        r.getReplica().getFeedLagRecords()));
                    }

                    @Override
                    public MutinyInsightReplicaServiceStub withDeadline(
                            MutinyInsightReplicaServiceStub stub, Duration deadline) {
                        return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
                    }
                },
                tokens,
                MAX_ANSWER_BYTES,
                "insight-replicas");
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }
}
