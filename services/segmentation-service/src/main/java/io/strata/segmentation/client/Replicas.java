package io.strata.segmentation.client;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.proto.segmentation.v1.DescribeReplicaRequest;
import io.strata.proto.segmentation.v1.DescribeReplicaResponse;
import io.strata.proto.segmentation.v1.MutinySegmentationReplicaServiceGrpc;
import io.strata.proto.segmentation.v1.MutinySegmentationReplicaServiceGrpc.MutinySegmentationReplicaServiceStub;
import io.strata.segmentation.config.SegmentationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The other replicas of segmentation-service, found at {@code strata.segmentation.replicas.peers}
 * (every address a peer's host names, this replica's own among them: it knows itself by its id),
 * and the partitions each serves, asked for every {@code refresh-every} and at once when a query
 * finds a partition missing. Calls between replicas carry this service's own token.
 */
@ApplicationScoped
public class Replicas {

    private static final Logger LOG = Logger.getLogger(Replicas.class);

    /** Another replica, by the address it was reached at. */
    public record Peer(String address, MutinySegmentationReplicaServiceStub stub) {}

    /**
     * What the other replicas said at {@code at}: the partitions each serves (the first to name a
     * partition has it), and the feed records they have not applied yet.
     */
    public record View(Map<Integer, Peer> owners, List<Peer> others, long lag, Instant at) {}

    /** The largest answer of another replica read (a model run's statistics: up to ~5 M distinct rows). */
    static final int MAX_ANSWER_BYTES = 256 * 1024 * 1024;

    private final String id = UUID.randomUUID().toString();
    private final SegmentationConfig.Replicas config;
    private final ServiceCallInterceptor calls;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Set<String> self = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Uni<View>> refreshing = new AtomicReference<>();
    private volatile View view = new View(Map.of(), List.of(), 0, Instant.EPOCH);
    private ScheduledExecutorService timer;

    public Replicas(SegmentationConfig config, ReplicaTokens tokens) {
        this.config = config.replicas();
        this.calls = new ServiceCallInterceptor(tokens);
    }

    void start(@Observes StartupEvent event) {
        if (alone()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "segmentation-replicas");
            thread.setDaemon(true);
            return thread;
        });
        long every = config.refreshEvery().toMillis();
        timer.scheduleWithFixedDelay(
                () -> refresh().subscribe().with(v -> {}, f -> LOG.debugf("asking the replicas failed: %s", f)),
                0,
                every,
                TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
        channels.values().forEach(ManagedChannel::shutdownNow);
    }

    /** This replica's id, new at every start. */
    public String id() {
        return id;
    }

    /** Whether no peers are configured: this replica answers alone. */
    public boolean alone() {
        return config.peers().map(List::isEmpty).orElse(true);
    }

    /** What the other replicas said last. */
    public View view() {
        return view;
    }

    /** A peer's stub with the call's deadline. */
    public MutinySegmentationReplicaServiceStub call(Peer peer) {
        return call(peer, config.callTimeout());
    }

    /** A peer's stub with a deadline of its own (a long step of a model run). */
    public MutinySegmentationReplicaServiceStub call(Peer peer, java.time.Duration deadline) {
        return peer.stub().withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks every other replica for its partitions now; calls meanwhile share the one round. */
    public Uni<View> refresh() {
        if (alone()) {
            return Uni.createFrom().item(view);
        }
        Uni<View> shared = refreshing.get();
        if (shared == null) {
            Uni<View> round = Uni.createFrom()
                    .deferred(this::describeAll)
                    .invoke(v -> view = v)
                    .eventually(() -> refreshing.set(null))
                    .memoize()
                    .indefinitely();
            shared = refreshing.compareAndSet(null, round) ? round : refreshing.get();
            if (shared == null) {
                shared = round;
            }
        }
        return shared;
    }

    private Uni<View> describeAll() {
        return Uni.createFrom()
                .item(this::addresses)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(addresses -> {
                    List<String> asked =
                            addresses.stream().filter(a -> !self.contains(a)).toList();
                    if (asked.isEmpty()) {
                        return Uni.createFrom().item(new View(Map.of(), List.of(), 0, Instant.now()));
                    }
                    List<Uni<DescribeReplicaResponse>> answers = new ArrayList<>();
                    for (String address : asked) {
                        // short: a query that found a partition missing waits for this round
                        answers.add(peer(address)
                                .stub()
                                .withDeadlineAfter(
                                        Math.min(config.callTimeout().toMillis(), 2_000), TimeUnit.MILLISECONDS)
                                .describeReplica(DescribeReplicaRequest.getDefaultInstance())
                                .onFailure()
                                .invoke(f -> LOG.debugf("replica %s did not answer: %s", address, f.getMessage()))
                                .onFailure()
                                .recoverWithNull());
                    }
                    return Uni.join().all(answers).andFailFast().map(responses -> view(asked, responses));
                });
    }

    private View view(List<String> asked, List<DescribeReplicaResponse> responses) {
        Map<Integer, Peer> owners = new TreeMap<>();
        List<Peer> others = new ArrayList<>();
        long lag = 0;
        for (int i = 0; i < asked.size(); i++) {
            DescribeReplicaResponse response = responses.get(i);
            if (response == null) {
                continue;
            }
            String address = asked.get(i);
            if (response.getReplica().getReplicaId().equals(id)) {
                self.add(address);
                continue;
            }
            Peer peer = peer(address);
            others.add(peer);
            for (int partition : response.getReplica().getLivePartitionsList()) {
                owners.putIfAbsent(partition, peer);
            }
            lag += Math.max(0, response.getReplica().getFeedLagRecords());
        }
        return new View(Collections.unmodifiableMap(owners), List.copyOf(others), lag, Instant.now());
    }

    private Peer peer(String address) {
        ManagedChannel channel = channels.computeIfAbsent(address, a -> {
            int colon = a.lastIndexOf(':');
            String host = a.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(a.substring(colon + 1));
            return Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create())
                    .intercept(calls)
                    // a model run's statistics of a replica's partitions may be larger than gRPC's 4 MB
                    .maxInboundMessageSize(MAX_ANSWER_BYTES)
                    .build();
        });
        return new Peer(address, MutinySegmentationReplicaServiceGrpc.newMutinyStub(channel));
    }

    /** Every address the peers' hosts name now (a name that does not resolve is left out, logged). */
    private List<String> addresses() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (String entry : config.peers().orElse(List.of())) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0) {
                LOG.warnf("peer %s is not host:port: left out", entry);
                continue;
            }
            String host = entry.substring(0, colon);
            String port = entry.substring(colon + 1);
            try {
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    String literal = address.getHostAddress();
                    out.put((literal.contains(":") ? "[" + literal + "]" : literal) + ":" + port, true);
                }
            } catch (UnknownHostException e) {
                LOG.debugf("peer host %s does not resolve now: %s", host, e.getMessage());
            }
        }
        return List.copyOf(out.keySet());
    }
}
