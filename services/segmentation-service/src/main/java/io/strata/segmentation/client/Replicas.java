package io.strata.segmentation.client;

import io.grpc.ManagedChannel;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.strata.platform.replicas.PeerReplicas;
import io.strata.proto.segmentation.v1.DescribeReplicaRequest;
import io.strata.proto.segmentation.v1.MutinySegmentationReplicaServiceGrpc;
import io.strata.proto.segmentation.v1.MutinySegmentationReplicaServiceGrpc.MutinySegmentationReplicaServiceStub;
import io.strata.segmentation.config.SegmentationConfig;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The other replicas of segmentation-service ({@code strata.segmentation.replicas.peers}) and the
 * partitions each serves (services/platform {@link PeerReplicas}); calls between them carry this
 * service's own token.
 */
@Singleton
public class Replicas extends PeerReplicas<MutinySegmentationReplicaServiceStub> {

    /** The largest answer of another replica read (a model run's statistics: up to ~5 M distinct rows). */
    static final int MAX_ANSWER_BYTES = 256 * 1024 * 1024;

    public Replicas(SegmentationConfig config, ReplicaTokens tokens) {
        super(
                new Settings(
                        config.replicas().peers().orElse(List.of()),
                        config.replicas().refreshEvery(),
                        config.replicas().callTimeout()),
                new Protocol<>() {
                    @Override
                    public MutinySegmentationReplicaServiceStub stub(ManagedChannel channel) {
                        return MutinySegmentationReplicaServiceGrpc.newMutinyStub(channel);
                    }

                    @Override
                    public Uni<Described> describe(MutinySegmentationReplicaServiceStub stub) {
                        return stub.describeReplica(DescribeReplicaRequest.getDefaultInstance())
                                .map(r -> new Described(
                                        r.getReplica().getReplicaId(),
                                        r.getReplica().getLivePartitionsList(),
                                        r.getReplica().getFeedLagRecords()));
                    }

                    @Override
                    public MutinySegmentationReplicaServiceStub withDeadline(
                            MutinySegmentationReplicaServiceStub stub, Duration deadline) {
                        return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
                    }
                },
                tokens,
                MAX_ANSWER_BYTES,
                "segmentation-replicas");
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }
}
