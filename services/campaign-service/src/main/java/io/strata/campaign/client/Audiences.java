package io.strata.campaign.client;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.platform.grpc.TokenSource;
import io.strata.proto.segmentation.v1.GetSegmentRequest;
import io.strata.proto.segmentation.v1.MutinySegmentationServiceGrpc;
import io.strata.proto.segmentation.v1.SegmentState;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Which audiences exist, asked of segmentation-service ({@code GetSegment}, with this service's own
 * token) when a journey is saved or published: a journey may name only audiences that exist and
 * are not archived.
 */
@ApplicationScoped
public class Audiences {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final MutinySegmentationServiceGrpc.MutinySegmentationServiceStub segments;

    public Audiences(@GrpcClient("segmentation") Channel channel, TokenSource tokens) {
        this.segments = MutinySegmentationServiceGrpc.newMutinyStub(
                ClientInterceptors.intercept(channel, new ServiceCallInterceptor(tokens)));
    }

    /** The audiences of {@code keys} that exist and are not archived. */
    public Uni<Set<String>> existing(String tenant, Collection<String> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        List<Uni<String>> asks = new ArrayList<>();
        for (String key : new TreeSet<>(keys)) {
            asks.add(segments.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .getSegment(GetSegmentRequest.newBuilder()
                            .setTenant(tenant)
                            .setSegmentId(key)
                            .build())
                    .map(r -> r.getSegment().getState() == SegmentState.SEGMENT_STATE_ARCHIVED ? "" : key)
                    .onFailure(e -> Status.fromThrowable(e).getCode() == Status.Code.NOT_FOUND)
                    .recoverWithItem(""));
        }
        return Uni.join().all(asks).andFailFast().map(found -> {
            var out = new TreeSet<String>(found);
            out.remove("");
            return Set.copyOf(out);
        });
    }
}
