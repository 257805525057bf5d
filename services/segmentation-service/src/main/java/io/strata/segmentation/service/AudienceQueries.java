package io.strata.segmentation.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.errors.Reason;
import io.strata.platform.kafka.Keys;
import io.strata.platform.replicas.PeerReplicas;
import io.strata.platform.replicas.PeerReplicas.Peer;
import io.strata.platform.replicas.PeerReplicas.Plan;
import io.strata.platform.replicas.PeerReplicas.View;
import io.strata.proto.segmentation.v1.CheckMembersRequest;
import io.strata.proto.segmentation.v1.ConditionResult;
import io.strata.proto.segmentation.v1.CountMembersRequest;
import io.strata.proto.segmentation.v1.ExplainProfileRequest;
import io.strata.proto.segmentation.v1.ExplainProfileResponse;
import io.strata.proto.segmentation.v1.ExportPartitionsRequest;
import io.strata.proto.segmentation.v1.FindProfileRequest;
import io.strata.proto.segmentation.v1.FindProfileResponse;
import io.strata.proto.segmentation.v1.MembershipCheck;
import io.strata.proto.segmentation.v1.MutinySegmentationReplicaServiceGrpc.MutinySegmentationReplicaServiceStub;
import io.strata.proto.segmentation.v1.PartitionCheck;
import io.strata.proto.segmentation.v1.PartitionCount;
import io.strata.proto.segmentation.v1.PreviewDefinitionRequest;
import io.strata.proto.segmentation.v1.SetPartitionMembersRequest;
import io.strata.proto.segmentation.v1.StaticMode;
import io.strata.segmentation.client.Replicas;
import io.strata.segmentation.domain.Segment;
import io.strata.segmentation.messaging.FeedLoop;
import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.Explainer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The queries over a tenant's audiences, answered by scatter-gather: the engine's state is
 * partitioned like the feed, this replica answers from the partitions it serves and asks the other
 * replicas ({@link Replicas}) for theirs. Every answer names its partitions, so a partition that no
 * replica serves (loading after a rebalance) is known: sizes then say they are incomplete, and
 * what cannot be answered in part (an overlap, an export, a profile on that partition, a change)
 * is refused as UNAVAILABLE with a time to retry, after the replicas were asked once more.
 *
 * <p>A profile's partition is its key's ({@code tenant/profileId}), as the feed's producer chose it.
 */
@ApplicationScoped
public class AudienceQueries {

    /** Profile ids per chunk of an export. */
    public static final int EXPORT_CHUNK = 1000;

    private static final Duration RETRY = Duration.ofSeconds(1);

    private final Engine engine;
    private final FeedLoop loop;
    private final Replicas replicas;

    public AudienceQueries(Engine engine, FeedLoop loop, Replicas replicas) {
        this.engine = engine;
        this.loop = loop;
        this.replicas = replicas;
    }

    /** Audiences' sizes over every partition, and the freshness of the answer. */
    public record Sizes(Map<String, Long> sizes, long lag, boolean complete) {
        public long of(String id) {
            return sizes.getOrDefault(id, 0L);
        }
    }

    /** Per partition, what its server counted; the partitions no replica answered for; their lag. */
    private record Gathered(Map<Integer, Engine.Counts> counts, Set<Integer> missing, long lag) {}

    // ---- counts: every replica answers for the partitions it serves ----

    /** The audiences' sizes; partial (not complete) while a partition is loading. */
    public Uni<Sizes> sizes(String tenant, List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(new Sizes(Map.of(), engine.lag(), engine.complete()));
        }
        CountMembersRequest request = CountMembersRequest.newBuilder()
                .setTenant(tenant)
                .addAllSegmentIds(ids)
                .build();
        return gather(
                        () -> engine.count(tenant, ids, false),
                        peer -> replicas.call(peer).countMembers(request).map(r -> r.getPartitionsList()))
                .map(g -> {
                    Map<String, Long> sizes = new LinkedHashMap<>();
                    for (int i = 0; i < ids.size(); i++) {
                        long size = 0;
                        for (Engine.Counts counts : g.counts().values()) {
                            size += counts.sizes()[i];
                        }
                        sizes.put(ids.get(i), size);
                    }
                    return new Sizes(sizes, g.lag(), g.missing().isEmpty());
                });
    }

    /** Per combination of the audiences (a bit per audience, in order), the profiles in exactly those. */
    public Uni<long[]> overlap(String tenant, List<String> ids) {
        CountMembersRequest request = CountMembersRequest.newBuilder()
                .setTenant(tenant)
                .addAllSegmentIds(ids)
                .setOverlap(true)
                .build();
        return gather(
                        () -> engine.count(tenant, ids, true),
                        peer -> replicas.call(peer).countMembers(request).map(r -> r.getPartitionsList()))
                .map(g -> {
                    requireAll(g.missing());
                    long[] regions = new long[1 << ids.size()];
                    for (Engine.Counts counts : g.counts().values()) {
                        for (int mask = 1; mask < regions.length; mask++) {
                            regions[mask] += counts.regions()[mask];
                        }
                    }
                    return regions;
                });
    }

    /** How many profiles a definition would hold now, and how many it looked at. */
    public Uni<long[]> preview(String tenant, Condition rule, String definition) {
        PreviewDefinitionRequest request = PreviewDefinitionRequest.newBuilder()
                .setTenant(tenant)
                .setDefinition(definition)
                .build();
        return gather(
                        () -> engine.preview(tenant, rule),
                        peer -> replicas.call(peer).previewDefinition(request).map(r -> r.getPartitionsList()))
                .map(g -> {
                    requireAll(g.missing());
                    long size = 0;
                    long profiles = 0;
                    for (Engine.Counts counts : g.counts().values()) {
                        size += counts.sizes()[0];
                        profiles += counts.profiles();
                    }
                    return new long[] {size, profiles};
                });
    }

    private Uni<Gathered> gather(
            Supplier<Map<Integer, Engine.Counts>> local,
            Function<Peer<MutinySegmentationReplicaServiceStub>, Uni<List<PartitionCount>>> remote) {
        return attempt(local, remote, replicas.view()).chain(g -> {
            if (g.missing().isEmpty() || replicas.alone()) {
                return Uni.createFrom().item(g);
            }
            // a partition moved, or a replica joined: ask who serves what, then once more
            return replicas.refresh().chain(view -> attempt(local, remote, view));
        });
    }

    private Uni<Gathered> attempt(
            Supplier<Map<Integer, Engine.Counts>> local,
            Function<Peer<MutinySegmentationReplicaServiceStub>, Uni<List<PartitionCount>>> remote,
            View<MutinySegmentationReplicaServiceStub> view) {
        List<Uni<List<PartitionCount>>> asked = new ArrayList<>();
        for (Peer<MutinySegmentationReplicaServiceStub> peer : view.others()) {
            // a replica that does not answer leaves its partitions missing
            asked.add(remote.apply(peer).onFailure().recoverWithItem(List.of()));
        }
        return all(asked).map(lists -> {
            Map<Integer, Engine.Counts> counts = new TreeMap<>(local.get());
            for (List<PartitionCount> list : lists) {
                for (PartitionCount count : list) {
                    counts.putIfAbsent(count.getPartition(), counts(count));
                }
            }
            return new Gathered(counts, missing(counts.keySet()), Math.max(0, engine.lag()) + view.lag());
        });
    }

    private static Engine.Counts counts(PartitionCount count) {
        return new Engine.Counts(
                count.getSizesList().stream().mapToLong(Long::longValue).toArray(),
                count.getRegionsList().stream().mapToLong(Long::longValue).toArray(),
                count.getProfiles());
    }

    /** The feed's partitions not among these ({@code -1} alone while the feed's size is not known). */
    private Set<Integer> missing(Set<Integer> answered) {
        int partitions = engine.feedPartitions();
        if (partitions == 0) {
            return Set.of(-1);
        }
        Set<Integer> missing = new TreeSet<>();
        for (int p = 0; p < partitions; p++) {
            if (!answered.contains(p)) {
                missing.add(p);
            }
        }
        return missing;
    }

    private static void requireAll(Set<Integer> missing) {
        if (!missing.isEmpty()) {
            throw loading(missing);
        }
    }

    static StatusRuntimeException loading(Set<Integer> partitions) {
        String which = partitions.contains(-1)
                ? "the feed's partitions are not known yet"
                : "partitions " + partitions + " of the feed are loading (a replica started, or the partitions moved)";
        return Errors.unavailable(Reason.PARTITION_LOADING, which + "; retry shortly", RETRY);
    }

    // ---- one profile: the replica serving its partition answers ----

    /** The partition of the feed that holds the profile's records. */
    public int partitionOf(String tenant, String profileId) {
        int partitions = engine.feedPartitions();
        if (partitions == 0) {
            throw loading(Set.of(-1));
        }
        return Keys.partition(Keys.profile(tenant, profileId), partitions);
    }

    /** The active audiences the profile is in (none for a profile no partition holds). */
    public Uni<Set<String>> segmentsOf(String tenant, String profileId) {
        int partition = partitionOf(tenant, profileId);
        Set<String> here = engine.segmentsOf(tenant, profileId, partition);
        if (here != null) {
            return Uni.createFrom().item(here);
        }
        FindProfileRequest request = FindProfileRequest.newBuilder()
                .setTenant(tenant)
                .setProfileId(profileId)
                .setPartition(partition)
                .build();
        return onOwner(
                partition,
                () -> engine.segmentsOf(tenant, profileId, partition),
                peer -> replicas.call(peer).findProfile(request).map(r -> r.getLive() ? found(r) : null));
    }

    /** Whether the profile is in the audience (false for a profile no partition holds). */
    public Uni<Boolean> member(String tenant, String profileId, String id) {
        int partition = partitionOf(tenant, profileId);
        Boolean here = engine.member(tenant, profileId, partition, id);
        if (here != null) {
            return Uni.createFrom().item(here);
        }
        return segmentsOf(tenant, profileId).map(in -> in.contains(id));
    }

    /**
     * Each check's answer, in order: from this replica's partitions where they hold the profile;
     * the others asked of the replica serving their partition, one call per replica; what that
     * leaves (a partition without a server, a replica that failed or no longer serves it) asked
     * profile by profile as {@link #segmentsOf} does (the replicas asked again, then loading).
     */
    public Uni<List<Boolean>> members(String tenant, List<MembershipCheck> checks) {
        Boolean[] here = new Boolean[checks.size()];
        int[] partitions = new int[checks.size()];
        List<Integer> elsewhere = new ArrayList<>();
        for (int i = 0; i < here.length; i++) {
            MembershipCheck check = checks.get(i);
            partitions[i] = partitionOf(tenant, check.getProfileId());
            here[i] = engine.member(tenant, check.getProfileId(), partitions[i], check.getSegmentId());
            if (here[i] == null) {
                elsewhere.add(i);
            }
        }
        if (elsewhere.isEmpty()) {
            return Uni.createFrom().item(Arrays.asList(here));
        }
        View<MutinySegmentationReplicaServiceStub> view = replicas.view();
        Map<Peer<MutinySegmentationReplicaServiceStub>, List<Integer>> byOwner = new LinkedHashMap<>();
        for (int i : elsewhere) {
            Peer<MutinySegmentationReplicaServiceStub> owner = view.owners().get(partitions[i]);
            if (owner != null) {
                byOwner.computeIfAbsent(owner, o -> new ArrayList<>()).add(i);
            }
        }
        List<Uni<Map<Integer, Boolean>>> asks = new ArrayList<>();
        byOwner.forEach((owner, indexes) -> {
            CheckMembersRequest.Builder request =
                    CheckMembersRequest.newBuilder().setTenant(tenant);
            for (int i : indexes) {
                request.addChecks(PartitionCheck.newBuilder()
                        .setProfileId(checks.get(i).getProfileId())
                        .setPartition(partitions[i])
                        .setSegmentId(checks.get(i).getSegmentId()));
            }
            asks.add(replicas.call(owner)
                    .checkMembers(request.build())
                    .map(response -> {
                        Map<Integer, Boolean> answered = new HashMap<>();
                        for (int k = 0; k < indexes.size() && k < response.getLiveCount(); k++) {
                            if (response.getLive(k)) {
                                answered.put(indexes.get(k), response.getMembers(k));
                            }
                        }
                        return answered;
                    })
                    .onFailure()
                    .recoverWithItem(Map.of()));
        });
        return all(asks).chain(answers -> {
            Map<Integer, Boolean> answered = new HashMap<>();
            answers.forEach(answered::putAll);
            Set<String> unanswered = new LinkedHashSet<>();
            for (int i : elsewhere) {
                if (!answered.containsKey(i)) {
                    unanswered.add(checks.get(i).getProfileId());
                }
            }
            List<Uni<Map.Entry<String, Set<String>>>> again = new ArrayList<>();
            for (String profileId : unanswered) {
                again.add(segmentsOf(tenant, profileId).map(in -> Map.entry(profileId, in)));
            }
            return all(again).map(found -> {
                Map<String, Set<String>> in = new HashMap<>();
                found.forEach(e -> in.put(e.getKey(), e.getValue()));
                List<Boolean> out = new ArrayList<>(here.length);
                for (int i = 0; i < here.length; i++) {
                    MembershipCheck check = checks.get(i);
                    out.add(
                            here[i] != null
                                    ? here[i]
                                    : answered.containsKey(i)
                                            ? answered.get(i)
                                            : in.get(check.getProfileId()).contains(check.getSegmentId()));
                }
                return out;
            });
        });
    }

    /** Every answer, in order (none asked: none). */
    private static <T> Uni<List<T>> all(List<Uni<T>> unis) {
        return unis.isEmpty()
                ? Uni.createFrom().item(List.of())
                : Uni.join().all(unis).andFailFast();
    }

    private static Set<String> found(FindProfileResponse response) {
        return new LinkedHashSet<>(response.getSegmentIdsList());
    }

    /**
     * Every condition of a rule audience with what held for the profile; null when no partition
     * holds the profile.
     */
    public Uni<ExplainProfileResponse> explain(String tenant, String profileId, Segment segment, Condition rule) {
        int partition = partitionOf(tenant, profileId);
        ExplainProfileResponse here = explainHere(tenant, profileId, partition, segment.id(), rule);
        if (here.getLive()) {
            return Uni.createFrom().item(here);
        }
        ExplainProfileRequest request = ExplainProfileRequest.newBuilder()
                .setTenant(tenant)
                .setProfileId(profileId)
                .setPartition(partition)
                .setSegmentId(segment.id())
                .build();
        return onOwner(
                partition,
                () -> {
                    ExplainProfileResponse again = explainHere(tenant, profileId, partition, segment.id(), rule);
                    return again.getLive() ? again : null;
                },
                peer -> replicas.call(peer).explainProfile(request).map(r -> r.getLive() ? r : null));
    }

    /** The explanation from this replica's partition ({@code live} false: the partition is not here). */
    public ExplainProfileResponse explainHere(
            String tenant, String profileId, int partition, String segmentId, Condition rule) {
        Engine.Lookup<ExplainProfileResponse> lookup =
                engine.withProfile(tenant, profileId, partition, segmentId, subject -> {
                    ExplainProfileResponse.Builder b = ExplainProfileResponse.newBuilder()
                            .setLive(true)
                            .setFound(true)
                            .setMember(subject.member());
                    for (Explainer.Line line : Explainer.explain(rule, subject.facts(), subject.context())) {
                        b.addConditions(ConditionResult.newBuilder()
                                .setPath(line.path())
                                .setCondition(line.condition())
                                .setHeld(line.held())
                                .setActual(line.actual()));
                    }
                    return b.build();
                });
        if (lookup.found() != null) {
            return lookup.found();
        }
        return ExplainProfileResponse.newBuilder().setLive(lookup.live()).build();
    }

    /**
     * Asks the replica serving the partition (null from it: not live there); when none does, the
     * replicas are asked who serves what and it is tried once more (here first).
     */
    private <T> Uni<T> onOwner(
            int partition, Supplier<T> here, Function<Peer<MutinySegmentationReplicaServiceStub>, Uni<T>> remote) {
        return ask(partition, remote, replicas.view()).chain(answer -> {
            if (answer != null) {
                return Uni.createFrom().item(answer);
            }
            return replicas.refresh().chain(view -> {
                T local = here.get();
                if (local != null) {
                    return Uni.createFrom().item(local);
                }
                return ask(partition, remote, view).map(again -> {
                    if (again == null) {
                        throw loading(Set.of(partition));
                    }
                    return again;
                });
            });
        });
    }

    private <T> Uni<T> ask(
            int partition,
            Function<Peer<MutinySegmentationReplicaServiceStub>, Uni<T>> remote,
            View<MutinySegmentationReplicaServiceStub> view) {
        Peer<MutinySegmentationReplicaServiceStub> owner = view.owners().get(partition);
        if (owner == null) {
            return Uni.createFrom().nullItem();
        }
        return remote.apply(owner).onFailure().recoverWithNull();
    }

    // ---- members and changes: each partition's server, planned first ----

    /** Which replica serves each partition (services/platform {@link PeerReplicas#plan}). */
    public Uni<Plan<MutinySegmentationReplicaServiceStub>> plan() {
        Plan<MutinySegmentationReplicaServiceStub> first = plan(replicas.view());
        if (first != null) {
            return Uni.createFrom().item(first);
        }
        return replicas.refresh().map(view -> {
            Plan<MutinySegmentationReplicaServiceStub> again = plan(view);
            if (again == null) {
                Set<Integer> missing = new TreeSet<>(missing(new TreeSet<>(engine.live())));
                missing.removeAll(view.owners().keySet());
                throw loading(missing.isEmpty() ? Set.of(-1) : missing);
            }
            return again;
        });
    }

    /** Null when a partition has no live server. */
    private Plan<MutinySegmentationReplicaServiceStub> plan(View<MutinySegmentationReplicaServiceStub> view) {
        return PeerReplicas.plan(engine.feedPartitions(), new TreeSet<>(engine.live()), view);
    }

    /** The audience's members over every partition, in chunks of at most {@link #EXPORT_CHUNK}. */
    public Multi<List<String>> export(String tenant, String id) {
        return plan().onItem().transformToMulti(plan -> {
            List<Multi<List<String>>> parts = new ArrayList<>();
            parts.add(Multi.createFrom()
                    .deferred(() ->
                            Multi.createFrom().iterable(chunks(here(() -> engine.members(tenant, id, plan.here()))))));
            plan.peers()
                    .forEach((peer, partitions) -> parts.add(replicas.call(peer)
                            .exportPartitions(ExportPartitionsRequest.newBuilder()
                                    .setTenant(tenant)
                                    .setSegmentId(id)
                                    .addAllPartitions(partitions)
                                    .build())
                            .map(r -> (List<String>) r.getProfileIdsList())
                            .onFailure()
                            .transform(f -> moved(f, partitions))));
            return Multi.createBy().concatenating().streams(parts);
        });
    }

    /** Profile ids in chunks for a stream. */
    public static List<List<String>> chunks(List<String> ids) {
        List<List<String>> out = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += EXPORT_CHUNK) {
            out.add(ids.subList(from, Math.min(ids.size(), from + EXPORT_CHUNK)));
        }
        return out;
    }

    /** A static audience changed on every partition: its size, and the ids of no profile. */
    public Uni<long[]> setStatic(String tenant, String id, Set<String> profileIds, StaticMode mode) {
        return plan().chain(plan -> {
            int partitions = engine.feedPartitions();
            Map<Integer, Set<String>> byPartition = new HashMap<>();
            for (String profileId : profileIds) {
                byPartition
                        .computeIfAbsent(
                                Keys.partition(Keys.profile(tenant, profileId), partitions), p -> new LinkedHashSet<>())
                        .add(profileId);
            }
            List<Uni<long[]>> parts = new ArrayList<>();
            Set<String> local = idsOf(plan.here(), byPartition);
            parts.add(Uni.createFrom()
                    .completionStage(() -> loop.submit(() -> engine.setStatic(tenant, id, local, mode, plan.here())))
                    .onFailure(IllegalStateException.class)
                    .transform(f -> loading(new TreeSet<>(plan.here())))
                    .map(r -> new long[] {
                        r.sizes().values().stream().mapToLong(Long::longValue).sum(), r.unknown()
                    }));
            plan.peers()
                    .forEach((peer, owned) -> parts.add(replicas.call(peer)
                            .setPartitionMembers(SetPartitionMembersRequest.newBuilder()
                                    .setTenant(tenant)
                                    .setSegmentId(id)
                                    .setMode(mode)
                                    .addAllPartitions(owned)
                                    .addAllProfileIds(idsOf(owned, byPartition))
                                    .build())
                            .map(r -> new long[] {
                                r.getPartitionsList().stream()
                                        .mapToLong(c -> c.getSizesCount() == 0 ? 0 : c.getSizes(0))
                                        .sum(),
                                r.getUnknown()
                            })
                            .onFailure()
                            .transform(f -> moved(f, owned))));
            return Uni.join()
                    .all(parts)
                    .andCollectFailures()
                    .map(results -> {
                        long[] out = new long[2];
                        for (long[] r : results) {
                            out[0] += r[0];
                            out[1] += r[1];
                        }
                        return out;
                    })
                    .onFailure()
                    .transform(AudienceQueries::partlyApplied);
        });
    }

    private static Set<String> idsOf(List<Integer> partitions, Map<Integer, Set<String>> byPartition) {
        Set<String> out = new LinkedHashSet<>();
        for (int p : partitions) {
            out.addAll(byPartition.getOrDefault(p, Set.of()));
        }
        return out;
    }

    private static <T> T here(Supplier<T> local) {
        try {
            return local.get();
        } catch (IllegalStateException e) {
            throw Errors.unavailable(Reason.PARTITION_LOADING, e.getMessage() + "; retry shortly", RETRY);
        }
    }

    /** A replica's failure on partitions it was to serve: they moved, or it is away. */
    static Throwable moved(Throwable failure, List<Integer> partitions) {
        if (failure instanceof StatusRuntimeException e && e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
            return loading(new TreeSet<>(partitions));
        }
        return Errors.unavailable(
                Reason.PARTITION_LOADING,
                "the replica serving partitions " + partitions + " did not answer (" + Errors.description(failure)
                        + "); retry shortly",
                RETRY);
    }

    /** Some partitions changed, others not: the caller sends the change again (it is idempotent). */
    private static Throwable partlyApplied(Throwable failure) {
        Throwable first = failure instanceof io.smallrye.mutiny.CompositeException composite
                ? composite.getCauses().get(0)
                : failure;
        return Errors.unavailable(
                Reason.PARTITION_LOADING,
                Errors.description(first)
                        + "; the change may have been applied to the other partitions: send it again (replacing,"
                        + " adding or removing the same ids twice changes nothing more)",
                RETRY);
    }
}
