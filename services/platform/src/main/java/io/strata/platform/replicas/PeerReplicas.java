package io.strata.platform.replicas;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.platform.grpc.TokenSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
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
 * The other replicas of a service whose state is partitioned like a Kafka topic (each replica owns
 * the partitions its consumer group gave it), found at the configured peers (every address a
 * peer's host names, this replica's own among them: it knows itself by its id), and the partitions
 * each serves, asked every {@code refreshEvery} and at once when a query finds a partition
 * missing ({@link #refresh()}). Calls between replicas carry the service's own token.
 *
 * @param <S> the replicas' gRPC stub
 */
public class PeerReplicas<S> {

    private static final Logger LOG = Logger.getLogger(PeerReplicas.class);

    /** Another replica, by the address it was reached at. */
    public record Peer<S>(String address, S stub) {}

    /**
     * What the other replicas said at {@code at}: the partitions each serves (the first to name a
     * partition has it), and the feed records they have not read yet.
     */
    public record View<S>(Map<Integer, Peer<S>> owners, List<Peer<S>> others, long lag, Instant at) {}

    /** Which replica serves each partition: this one ({@code here}) or a peer. */
    public record Plan<S>(List<Integer> here, Map<Peer<S>, List<Integer>> peers) {}

    /**
     * The server of each of the feed's {@code partitions}: this replica for those {@code live} here,
     * else the peer the view names. Null when a partition has none (loading after a rebalance), or
     * the partitions are not known yet (0).
     */
    public static <S> Plan<S> plan(int partitions, Set<Integer> live, View<S> view) {
        if (partitions == 0) {
            return null;
        }
        List<Integer> here = new ArrayList<>();
        Map<Peer<S>, List<Integer>> peers = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            if (live.contains(p)) {
                here.add(p);
            } else if (view.owners().containsKey(p)) {
                peers.computeIfAbsent(view.owners().get(p), x -> new ArrayList<>())
                        .add(p);
            } else {
                return null;
            }
        }
        return new Plan<>(here, peers);
    }

    /** What a replica says of itself. */
    public record Described(String replicaId, List<Integer> livePartitions, long lagRecords) {}

    /** How the replicas are reached and described. */
    public interface Protocol<S> {

        S stub(ManagedChannel channel);

        /** The replica's answer to "who are you, what do you serve"; the stub carries the deadline. */
        Uni<Described> describe(S stub);

        /** The stub with a deadline. */
        S withDeadline(S stub, Duration deadline);
    }

    /** The settings: peers ({@code host:port}; none: alone), how often to ask, how long to wait. */
    public record Settings(List<String> peers, Duration refreshEvery, Duration callTimeout) {}

    private final String id = UUID.randomUUID().toString();
    private final Settings settings;
    private final Protocol<S> protocol;
    private final ServiceCallInterceptor calls;
    private final int maxAnswerBytes;
    private final String threadName;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Set<String> self = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Uni<View<S>>> refreshing = new AtomicReference<>();
    private volatile View<S> view = new View<>(Map.of(), List.of(), 0, Instant.EPOCH);
    private ScheduledExecutorService timer;

    public PeerReplicas(
            Settings settings, Protocol<S> protocol, TokenSource tokens, int maxAnswerBytes, String threadName) {
        this.settings = settings;
        this.protocol = protocol;
        this.calls = new ServiceCallInterceptor(tokens);
        this.maxAnswerBytes = maxAnswerBytes;
        this.threadName = threadName;
    }

    /** Starts asking the peers now and every {@code refreshEvery} (nothing when alone). */
    public void start() {
        if (alone()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
        long every = settings.refreshEvery().toMillis();
        timer.scheduleWithFixedDelay(
                () -> refresh().subscribe().with(v -> {}, f -> LOG.debugf("asking the replicas failed: %s", f)),
                0,
                every,
                TimeUnit.MILLISECONDS);
    }

    public void stop() {
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
        return settings.peers().isEmpty();
    }

    /** What the other replicas said last. */
    public View<S> view() {
        return view;
    }

    /** A peer's stub with the call's deadline. */
    public S call(Peer<S> peer) {
        return call(peer, settings.callTimeout());
    }

    /** A peer's stub with a deadline of its own. */
    public S call(Peer<S> peer, Duration deadline) {
        return protocol.withDeadline(peer.stub(), deadline);
    }

    /** Asks every other replica for its partitions now; calls meanwhile share the one round. */
    public Uni<View<S>> refresh() {
        if (alone()) {
            return Uni.createFrom().item(view);
        }
        Uni<View<S>> shared = refreshing.get();
        if (shared == null) {
            Uni<View<S>> round = Uni.createFrom()
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

    private Uni<View<S>> describeAll() {
        return Uni.createFrom()
                .item(this::addresses)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(addresses -> {
                    List<String> asked =
                            addresses.stream().filter(a -> !self.contains(a)).toList();
                    if (asked.isEmpty()) {
                        return Uni.createFrom().item(new View<S>(Map.of(), List.of(), 0, Instant.now()));
                    }
                    // short: a query that found a partition missing waits for this round
                    Duration deadline =
                            Duration.ofMillis(Math.min(settings.callTimeout().toMillis(), 2_000));
                    List<Uni<Described>> answers = new ArrayList<>();
                    for (String address : asked) {
                        answers.add(protocol.describe(call(peer(address), deadline))
                                .onFailure()
                                .invoke(f -> LOG.debugf("replica %s did not answer: %s", address, f.getMessage()))
                                .onFailure()
                                .recoverWithNull());
                    }
                    return Uni.join().all(answers).andFailFast().map(responses -> view(asked, responses));
                });
    }

    private View<S> view(List<String> asked, List<Described> responses) {
        Map<Integer, Peer<S>> owners = new TreeMap<>();
        List<Peer<S>> others = new ArrayList<>();
        long lag = 0;
        for (int i = 0; i < asked.size(); i++) {
            Described response = responses.get(i);
            if (response == null) {
                continue;
            }
            String address = asked.get(i);
            if (response.replicaId().equals(id)) {
                self.add(address);
                continue;
            }
            Peer<S> peer = peer(address);
            others.add(peer);
            for (int partition : response.livePartitions()) {
                owners.putIfAbsent(partition, peer);
            }
            lag += Math.max(0, response.lagRecords());
        }
        return new View<>(Collections.unmodifiableMap(owners), List.copyOf(others), lag, Instant.now());
    }

    private Peer<S> peer(String address) {
        ManagedChannel channel = channels.computeIfAbsent(address, a -> {
            int colon = a.lastIndexOf(':');
            String host = a.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(a.substring(colon + 1));
            return Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create())
                    .intercept(calls)
                    .maxInboundMessageSize(maxAnswerBytes)
                    .build();
        });
        return new Peer<>(address, protocol.stub(channel));
    }

    /** Every address the peers' hosts name now (a name that does not resolve is left out, logged). */
    private List<String> addresses() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (String entry : settings.peers()) {
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
