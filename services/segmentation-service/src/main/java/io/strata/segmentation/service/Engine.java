package io.strata.segmentation.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.strata.platform.kafka.Keys;
import io.strata.platform.logging.LogSafe;
import io.strata.platform.outbox.OutboxRecords;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.segmentation.v1.MembershipCause;
import io.strata.proto.segmentation.v1.SegmentMembership;
import io.strata.segmentation.client.ProfileResends;
import io.strata.segmentation.config.SegmentationConfig;
import io.strata.segmentation.domain.Segment;
import io.strata.segmentation.engine.Audiences;
import io.strata.segmentation.engine.BitmapEvaluator;
import io.strata.segmentation.engine.ProfileTable;
import io.strata.segmentation.mapping.FeedApplier;
import io.strata.segmentation.repository.EngineStore;
import io.strata.segmentation.repository.SegmentRepository;
import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.ConditionParser;
import io.strata.segmentation.rules.Evaluator;
import io.strata.segmentation.rules.FieldCatalog;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.rules.ProfileFacts;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.roaringbitmap.RoaringBitmap;

/**
 * The audience engine of this replica: one {@link TenantShard} per tenant for each partition of the
 * feed it owns, the tenants' active audiences, and what it stores and announces.
 *
 * <p>One thread writes (the {@link io.strata.segmentation.messaging.FeedLoop}): it applies the feed,
 * new versions of audiences and the scheduled passes, each a write of the {@link EngineStore} (the
 * members announced, the records announcing them, the feed's offsets) in one transaction. Queries
 * read under the read lock from any thread.
 *
 * <p>A partition, when assigned, loads: its records up to the stored offsets are applied to the
 * tables again without evaluating anything (their effects are stored), then the stored members
 * are restored, audiences whose version changed meanwhile are evaluated, and it goes live.
 */
@ApplicationScoped
public class Engine {

    private static final Logger LOG = Logger.getLogger(Engine.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A partition of the feed this replica owns. */
    static final class Partition {
        final int number;
        final Map<String, TenantShard> tenants = new HashMap<>();
        final Map<String, Long> targets;
        boolean live;
        /** A write failed: the tables are ahead of what was stored (the partition reloads). */
        boolean failed;
        /** Per topic, the offset the tables hold every record before, as stored. */
        final Map<String, Long> committed = new HashMap<>();
        /** The offsets of the snapshot stored last (read when loading, or written since); empty: none. */
        Map<String, Long> snapshotted = Map.of();

        Instant snapshotAt = Instant.EPOCH;
        /** The tables came from a snapshot whose rolling windows were counted another day or zone. */
        boolean rollOnLive;

        Partition(int number, Map<String, Long> targets) {
            this.number = number;
            this.targets = targets;
        }
    }

    /**
     * How a partition loads: the records before {@code targets} are applied to its tables without
     * evaluating anything, starting at {@code from} per topic (a snapshot's offsets; absent: the
     * feed's beginning).
     */
    public record Load(Map<String, Long> targets, Map<String, Long> from) {}

    /** Membership changes of one write, with what else it stores. */
    private final class Pending {
        final List<EngineStore.MemberChange> members = new ArrayList<>();
        final OutboxRecords records = new OutboxRecords();
        final Map<String, Map<Integer, Long>> offsets = new HashMap<>();
        final List<EngineStore.Applied> applied = new ArrayList<>();
        final Map<String, Set<String>> changed = new HashMap<>();
        final Map<String, Set<String>> evaluated = new HashMap<>();

        void add(int partition, TenantShard shard, List<Audiences.Change> changes, MembershipCause cause, Instant at) {
            for (Audiences.Change change : changes) {
                String profileId = shard.table().profileId(change.ordinal());
                add(partition, shard.tenant(), change.segment(), profileId, change.entered(), cause, at);
            }
        }

        void add(
                int partition,
                String tenant,
                String segment,
                String profileId,
                boolean entered,
                MembershipCause cause,
                Instant at) {
            members.add(new EngineStore.MemberChange(tenant, segment, profileId, partition, entered));
            Segment definition = active.getOrDefault(tenant, Map.of()).get(segment);
            SegmentMembership record = SegmentMembership.newBuilder()
                    .setTenant(tenant)
                    .setProfileId(profileId)
                    .setSegmentId(segment)
                    .setEntered(entered)
                    .setSegmentVersion(
                            definition == null || definition.kind() == Segment.Kind.STATIC ? 0 : definition.version())
                    .setChangedAt(Timestamp.newBuilder()
                            .setSeconds(at.getEpochSecond())
                            .setNanos(at.getNano()))
                    .setChangeId(partition + "/" + UUID.randomUUID())
                    .setCause(cause)
                    .build();
            records.add(config.feed().membershipTopic(), Keys.profile(tenant, profileId), record.toByteArray());
            changed.computeIfAbsent(tenant, t -> new HashSet<>()).add(segment);
        }

        EngineStore.Write write() {
            return new EngineStore.Write(
                    members,
                    records.isEmpty() ? new byte[0] : records.encode(),
                    records.size(),
                    offsets,
                    applied,
                    changed,
                    evaluated);
        }
    }

    private final SegmentationConfig config;
    private final EngineStore store;
    private final ProfileResends resends;
    private final SegmentRepository segments;
    private final Clock clock;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Integer, Partition> partitions = new TreeMap<>();
    /** Per tenant, its active audiences (rule and static) as stored. */
    private final Map<String, Map<String, Segment>> active = new HashMap<>();

    private final Map<String, Map<String, FieldType>> traitTypes = new ConcurrentHashMap<>();
    private final FeedApplier applier;
    /** Snapshots being stored, by partition (the writer's thread only). */
    private final Map<Integer, CompletableFuture<Void>> saving = new HashMap<>();

    private final Counter snapshotsSaved;
    private final Counter snapshotsFailed;
    private final Counter snapshotsUnread;
    private final Counter replayed;
    private final Timer snapshotWrites;
    private long seq;
    private volatile long lag = -1;
    private volatile int feedPartitions;
    private volatile Runnable afterWrite = () -> {};
    /**
     * The day the tables' rolling windows are counted for (the engine's thread's): the day it
     * started, then the day of the last {@link #roll}. A snapshot carries it; restored on another
     * day, the windows are counted again.
     */
    private LocalDate windowsDay;

    /** What the engine's thread works on, for {@link #stuck}. */
    private final Progress progress = new Progress(System::nanoTime);

    public Engine(
            SegmentationConfig config,
            EngineStore store,
            SegmentRepository segments,
            ProfileResends resends,
            MeterRegistry registry) {
        this.config = config;
        this.resends = resends;
        this.store = store;
        this.segments = segments;
        this.clock = Clock.system(config.timeZone());
        this.applier = new FeedApplier(this::traitType, clock);
        this.snapshotsSaved = registry.counter("strata_segmentation_snapshots_total", "outcome", "saved");
        this.snapshotsFailed = registry.counter("strata_segmentation_snapshots_total", "outcome", "failed");
        this.snapshotsUnread = registry.counter("strata_segmentation_snapshots_total", "outcome", "unreadable");
        this.replayed = registry.counter("strata_segmentation_load_replayed_records_total");
        this.snapshotWrites = Timer.builder("strata_segmentation_snapshot_write_seconds")
                .description("Writing a partition's tables as a snapshot (the engine's thread waits meanwhile)")
                .register(registry);
    }

    /** Called after every stored write that announced records (the relay looks at once). */
    public void afterWrite(Runnable action) {
        this.afterWrite = action;
    }

    private Duration timeout() {
        return Duration.ofSeconds(30);
    }

    // ---- the writer's side (the feed loop's thread) ----

    /** Loads the tenants' traits and active audiences; before the first partition. */
    public void start() {
        windowsDay = today();
        traitTypes.putAll(store.traits().await().atMost(timeout()));
        syncDefinitions();
    }

    /**
     * Partitions assigned: each loads up to the stored offsets, from its stored snapshot when it
     * has one that reads and lies at or before them, else from the feed's beginning.
     */
    public Map<Integer, Load> assign(Collection<Integer> numbers) {
        Map<Integer, Load> out = new TreeMap<>();
        for (int number : numbers) {
            Map<String, Long> targets = store.offsets(number).await().atMost(timeout());
            Partition partition = new Partition(number, targets);
            Map<String, Long> from = restore(partition, targets);
            write(() -> partitions.put(number, partition));
            out.put(number, new Load(targets, from));
        }
        return out;
    }

    /** Fills the partition's tables from its stored snapshot if one serves; the offsets to read on from. */
    private Map<String, Long> restore(Partition partition, Map<String, Long> targets) {
        int number = partition.number;
        awaitSaving(number);
        EngineStore.Snapshot snapshot;
        try {
            snapshot = store.snapshot(number).await().atMost(Duration.ofMinutes(5));
        } catch (RuntimeException e) {
            snapshotsUnread.increment();
            LOG.warnf(
                    "partition %d: its snapshot cannot be fetched (%s): it loads from the feed's beginning",
                    number, LogSafe.text(e.getMessage()));
            return Map.of();
        }
        if (snapshot == null) {
            return Map.of();
        }
        for (Map.Entry<String, Long> offset : snapshot.offsets().entrySet()) {
            if (offset.getValue() > targets.getOrDefault(offset.getKey(), 0L)) {
                snapshotsUnread.increment();
                LOG.warnf(
                        "partition %d: its snapshot holds %s up to offset %d, beyond the %d stored with its"
                                + " members: it loads from the feed's beginning",
                        number, offset.getKey(), offset.getValue(), targets.getOrDefault(offset.getKey(), 0L));
                return Map.of();
            }
        }
        long started = System.nanoTime();
        PartitionSnapshot.Read read;
        try {
            read = PartitionSnapshot.read(snapshot.chunks(), snapshot.checksum(), config.timeZone());
        } catch (IOException | RuntimeException e) {
            snapshotsUnread.increment();
            LOG.warnf(
                    "partition %d: its snapshot of %s does not read (%s): it loads from the feed's beginning",
                    number, snapshot.takenAt(), LogSafe.text(String.valueOf(e.getMessage())));
            return Map.of();
        }
        partition.tenants.putAll(read.tenants());
        partition.snapshotted = Map.copyOf(snapshot.offsets());
        partition.snapshotAt = snapshot.takenAt();
        partition.rollOnLive =
                !read.zone().equals(config.timeZone()) || !read.day().equals(windowsDay);
        LOG.infof(
                "partition %d: read its snapshot of %s (%d tenants, %d KiB) in %d ms; the feed follows from %s",
                number,
                snapshot.takenAt(),
                read.tenants().size(),
                snapshot.bytes() / 1024,
                (System.nanoTime() - started) / 1_000_000,
                snapshot.offsets());
        return snapshot.offsets();
    }

    /** Forgets the stored state of a partition whose feed no longer holds it (see {@link EngineStore#discard}). */
    public void discard(int number) {
        awaitSaving(number);
        store.discard(number).await().atMost(timeout());
        // the feed from its beginning holds the changes since it was made anew, not the profiles
        resends.request(
                store.tenants().await().atMost(timeout()),
                "partition " + number + " loads anew from a feed that no longer holds its stored state");
    }

    /** Waits for a snapshot of the partition being stored (it must not land after what follows). */
    private void awaitSaving(int number) {
        CompletableFuture<Void> pending = saving.remove(number);
        if (pending != null) {
            try {
                pending.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.warnf("partition %d: storing its snapshot failed: %s", number, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes the snapshot of one live partition whose tables changed since its last one, if the
     * last is older than {@code every}, and stores it in the background; the partition's number,
     * or -1 when none was due. The tables are written on the engine's thread (nothing changes them
     * meanwhile); queries go on reading them.
     */
    public int snapshotDue(Duration every) {
        Instant now = clock.instant();
        saving.values().removeIf(CompletableFuture::isDone);
        if (!saving.isEmpty()) {
            return -1; // one snapshot in memory and in the database at a time
        }
        for (Partition partition : partitions.values()) {
            if (partition.live
                    && !partition.failed
                    && !saving.containsKey(partition.number)
                    && !partition.committed.equals(partition.snapshotted)
                    && !now.isBefore(partition.snapshotAt.plus(every))) {
                snapshot(partition, now);
                return partition.number;
            }
        }
        return -1;
    }

    /** Writes and stores the snapshot of the partition now; completes once it is stored. */
    public CompletableFuture<Void> snapshot(int number) {
        Partition partition = partitions.get(number);
        if (partition == null || !partition.live || partition.failed) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("partition " + number + " is not live here"));
        }
        List.copyOf(saving.keySet()).forEach(this::awaitSaving); // one save at a time, as when due
        return snapshot(partition, clock.instant());
    }

    private CompletableFuture<Void> snapshot(Partition partition, Instant now) {
        int number = partition.number;
        Map<String, Long> offsets = Map.copyOf(partition.committed);
        PartitionSnapshot.Written written;
        long started = System.nanoTime();
        try {
            PartitionSnapshot.Written[] out = new PartitionSnapshot.Written[1];
            working(() -> {
                progress("writing the snapshot of partition " + number);
                try {
                    out[0] = PartitionSnapshot.write(new TreeMap<>(partition.tenants), config.timeZone(), windowsDay);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            written = out[0];
        } catch (RuntimeException e) {
            snapshotsFailed.increment();
            LOG.errorf(e, "partition %d: its snapshot cannot be written", number);
            partition.snapshotAt = now; // tried again after the interval
            return CompletableFuture.failedFuture(e);
        } finally {
            snapshotWrites.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        // a store that fails leaves the snapshot before in place (still good): the next comes after
        // the interval, once the feed changed the tables again
        partition.snapshotted = offsets;
        partition.snapshotAt = now;
        long millis = (System.nanoTime() - started) / 1_000_000;
        long bytes = written.bytes();
        CompletableFuture<Void> stored = store.saveSnapshot(
                        number, offsets, PartitionSnapshot.FORMAT, written.chunks(), written.checksum(), bytes)
                .ifNoItem()
                .after(Duration.ofMinutes(5))
                .fail()
                .subscribeAsCompletionStage()
                .whenComplete((saved, failure) -> {
                    if (failure == null && saved) {
                        snapshotsSaved.increment();
                        LOG.infof(
                                "partition %d: snapshot stored at %s (%d KiB, written in %d ms)",
                                number, offsets, bytes / 1024, millis);
                    } else if (failure == null) {
                        LOG.infof(
                                "partition %d: the snapshot at %s is not stored: the stored offsets are behind"
                                        + " it (the partition was forgotten meanwhile)",
                                number, offsets);
                    } else {
                        snapshotsFailed.increment();
                        LOG.warnf("partition %d: storing its snapshot failed: %s", number, failure.getMessage());
                    }
                })
                .thenApply(saved -> (Void) null)
                .toCompletableFuture();
        saving.put(number, stored);
        return stored;
    }

    public void revoke(Collection<Integer> numbers) {
        write(() -> numbers.forEach(partitions::remove));
    }

    /** A partition's records up to its stored offsets: applied to the tables only. */
    public void replay(int number, List<Object> records) {
        write(() -> {
            progress("loading " + records.size() + " feed records into partition " + number);
            Partition partition = partitions.get(number);
            for (Object record : records) {
                applyToTable(partition, record, null);
            }
        });
        replayed.increment(records.size());
    }

    /**
     * The partition caught up with what was stored: restore its members, evaluate the audiences
     * whose version changed meanwhile, go live.
     */
    public void goLive(int number) {
        Partition partition = partitions.get(number);
        List<EngineStore.Member> stored = store.members(number).await().atMost(timeout());
        Map<String, Map<String, Long>> applied = store.applied(number).await().atMost(timeout());
        Pending pending = new Pending();
        Instant now = clock.instant();
        write(() -> {
            progress("restoring the members of partition " + number);
            if (partition.rollOnLive) {
                // the snapshot's windows were counted another day (or zone): count them for today
                rollTables(partition);
                partition.rollOnLive = false;
            }
            Map<String, Map<String, RoaringBitmap>> members = new HashMap<>();
            for (EngineStore.Member member : stored) {
                TenantShard shard = shard(partition, member.tenant());
                var ordinal = shard.table().find(member.profileId());
                if (ordinal.isPresent()) {
                    members.computeIfAbsent(member.tenant(), t -> new HashMap<>())
                            .computeIfAbsent(member.segment(), s -> new RoaringBitmap())
                            .add(ordinal.getAsInt());
                }
            }
            for (TenantShard shard : partition.tenants.values()) {
                Map<String, Long> versions = applied.getOrDefault(shard.tenant(), Map.of());
                Map<String, RoaringBitmap> held = members.getOrDefault(shard.tenant(), Map.of());
                for (Segment segment : ordered(shard.tenant())) {
                    Condition rule = segment.kind() == Segment.Kind.RULE ? condition(segment) : null;
                    if (segment.kind() == Segment.Kind.RULE && rule == null) {
                        continue;
                    }
                    shard.audiences().restore(segment.id(), rule, held.getOrDefault(segment.id(), new RoaringBitmap()));
                    Long version = versions.get(segment.id());
                    shard.segmentVersions().put(segment.id(), version == null ? 0 : version);
                    if (rule != null && (version == null || version != segment.version())) {
                        evaluate(partition, shard, segment, rule, pending, now);
                    }
                }
            }
        });
        commit(pending);
        write(() -> {
            partition.committed.putAll(partition.targets);
            partition.live = true;
        });
        LOG.infof("partition %d is live (%d tenants)", number, partition.tenants.size());
    }

    /**
     * Records of a live partition: applied, the profiles they touch evaluated, the membership
     * changes stored with the partition's new offsets and announced.
     *
     * @param offsets per topic, the next offset after these records
     */
    public void apply(int number, List<Object> records, Map<String, Long> offsets) {
        Partition partition = partitions.get(number);
        try {
            applyAndStore(partition, records, offsets);
        } catch (RuntimeException e) {
            // the tables may hold some of the records, the store none: no snapshot of them, ever
            partition.failed = true;
            throw e;
        }
        partition.committed.putAll(offsets);
    }

    private void applyAndStore(Partition partition, List<Object> records, Map<String, Long> offsets) {
        int number = partition.number;
        Pending pending = new Pending();
        Instant now = clock.instant();
        write(() -> {
            progress("applying " + records.size() + " feed records to partition " + number);
            for (Object record : records) {
                applyToTable(partition, record, (shard, effects) -> {
                    for (FeedApplier.Forget forget : effects.forget()) {
                        pending.add(
                                number,
                                shard,
                                shard.audiences().forget(forget.ordinal()),
                                forget.merged()
                                        ? MembershipCause.MEMBERSHIP_CAUSE_PROFILE_MERGED
                                        : MembershipCause.MEMBERSHIP_CAUSE_PROFILE_DELETED,
                                now);
                        shard.forget(forget.ordinal(), forget.version());
                    }
                    effects.evaluate()
                            .forEach((ordinal, inputs) -> pending.add(
                                    number,
                                    shard,
                                    shard.audiences().profileChanged(ordinal, inputs, now),
                                    MembershipCause.MEMBERSHIP_CAUSE_PROFILE_CHANGED,
                                    now));
                });
            }
            offsets.forEach((topic, offset) ->
                    pending.offsets.computeIfAbsent(topic, t -> new HashMap<>()).put(number, offset));
            partition.tenants.values().forEach(shard -> shard.table().maintain());
        });
        commit(pending);
    }

    private interface Effects {
        void on(TenantShard shard, FeedApplier.Effects effects);
    }

    private void applyToTable(Partition partition, Object record, Effects live) {
        if (record instanceof ProfileChange change) {
            TenantShard shard = shard(partition, change.getTenant());
            FeedApplier.Effects effects = applier.change(shard, change);
            if (live != null) {
                live.on(shard, effects);
            } else {
                effects.forget().forEach(f -> shard.forget(f.ordinal(), f.version()));
            }
        } else if (record instanceof ProfileEvent event) {
            TenantShard shard = shard(partition, event.getTenant());
            FeedApplier.Effects effects = applier.event(shard, event);
            if (live != null) {
                live.on(shard, effects);
            }
        }
    }

    /** Looks for audiences created, edited or moved since the last look, and applies them to every live partition. */
    public void syncDefinitions() {
        List<Segment> changed = segments.changedSince(seq).await().atMost(timeout());
        if (changed.isEmpty()) {
            return;
        }
        Pending pending = new Pending();
        Instant now = clock.instant();
        write(() -> {
            for (Segment segment : changed) {
                seq = Math.max(seq, segment.seq());
                Map<String, Segment> tenant = active.computeIfAbsent(segment.tenant(), t -> new HashMap<>());
                Segment before = tenant.get(segment.id());
                if (segment.state() == Segment.State.ACTIVE) {
                    tenant.put(segment.id(), segment);
                } else {
                    tenant.remove(segment.id());
                }
                for (Partition partition : partitions.values()) {
                    if (!partition.live) {
                        continue; // it evaluates on going live
                    }
                    TenantShard shard = partition.tenants.get(segment.tenant());
                    if (shard == null) {
                        continue;
                    }
                    if (segment.state() != Segment.State.ACTIVE) {
                        if (before != null && shard.audiences().contains(segment.id())) {
                            dropAudience(partition, shard, segment.id(), pending);
                        }
                        continue;
                    }
                    if (segment.kind() == Segment.Kind.STATIC) {
                        if (!shard.audiences().contains(segment.id())) {
                            shard.audiences().setMembers(segment.id(), new RoaringBitmap(), now);
                        }
                        continue;
                    }
                    Condition rule = condition(segment);
                    if (rule != null && shard.segmentVersions().getOrDefault(segment.id(), -1L) != segment.version()) {
                        evaluate(partition, shard, segment, rule, pending, now);
                    }
                }
            }
        });
        commit(pending);
    }

    private void dropAudience(Partition partition, TenantShard shard, String id, Pending pending) {
        try {
            RoaringBitmap members = shard.audiences().members(id).clone();
            shard.audiences().drop(id);
            shard.segmentVersions().remove(id);
            // no records: an archived audience is no longer kept; its stored members go
            members.forEach((int ordinal) -> pending.members.add(new EngineStore.MemberChange(
                    shard.tenant(), id, shard.table().profileId(ordinal), partition.number, false)));
            pending.applied.add(new EngineStore.Applied(partition.number, shard.tenant(), id, 0));
        } catch (IllegalArgumentException named) {
            LOG.warnf("audience %s of tenant %s stays: %s", id, shard.tenant(), named.getMessage());
        }
    }

    private void evaluate(
            Partition partition, TenantShard shard, Segment segment, Condition rule, Pending pending, Instant now) {
        progress("evaluating audience " + segment.id() + " (version " + segment.version() + ") of tenant "
                + shard.tenant() + " on partition " + partition.number);
        try {
            pending.add(
                    partition.number,
                    shard,
                    shard.audiences().define(segment.id(), rule, now),
                    MembershipCause.MEMBERSHIP_CAUSE_SEGMENT_CHANGED,
                    now);
            shard.segmentVersions().put(segment.id(), segment.version());
            pending.applied.add(
                    new EngineStore.Applied(partition.number, shard.tenant(), segment.id(), segment.version()));
            pending.evaluated
                    .computeIfAbsent(shard.tenant(), t -> new HashSet<>())
                    .add(segment.id());
        } catch (IllegalArgumentException e) {
            LOG.errorf(
                    "audience %s of tenant %s cannot be evaluated: %s", segment.id(), shard.tenant(), e.getMessage());
        }
    }

    /** The scheduled pass: rules that time alone can change are evaluated over every profile again. */
    public void reevaluate() {
        Pending pending = new Pending();
        Instant now = clock.instant();
        write(() -> {
            for (Partition partition : partitions.values()) {
                if (!partition.live) {
                    continue;
                }
                for (TenantShard shard : partition.tenants.values()) {
                    Set<String> due = new HashSet<>();
                    for (String id : shard.audiences().names()) {
                        Condition rule = shard.audiences().rule(id);
                        if (rule != null && Audiences.isTimeRelative(rule)) {
                            due.add(id);
                        }
                    }
                    if (due.isEmpty()) {
                        continue;
                    }
                    pending.add(
                            partition.number,
                            shard,
                            shard.audiences()
                                    .reevaluate(
                                            due,
                                            now,
                                            id -> progress("the scheduled pass: audience " + id
                                                    + " of tenant " + shard.tenant() + " on partition "
                                                    + partition.number)),
                            MembershipCause.MEMBERSHIP_CAUSE_SCHEDULED,
                            now);
                    pending.evaluated
                            .computeIfAbsent(shard.tenant(), t -> new HashSet<>())
                            .addAll(due);
                }
            }
        });
        commit(pending);
    }

    /** A new day: every profile's rolling windows counted for it, then the scheduled pass. */
    public void roll() {
        write(() -> {
            windowsDay = today();
            partitions.values().forEach(this::rollTables);
        });
        reevaluate();
    }

    private void rollTables(Partition partition) {
        for (TenantShard shard : partition.tenants.values()) {
            progress("counting the rolling windows of tenant " + shard.tenant() + " on partition " + partition.number);
            shard.table().live().forEach((int ordinal) -> {
                applier.roll(shard.table(), ordinal);
            });
            shard.table().maintain();
        }
    }

    /** A static audience's members per partition after a change, and the ids of no profile there. */
    public record StaticResult(Map<Integer, Long> sizes, long unknown) {}

    /**
     * A static audience's members on the partitions asked: replaced, added to or removed from (the
     * ids are those of profiles whose key falls on them). All or nothing: a partition asked that is
     * not live here fails the call before anything changes.
     *
     * @throws IllegalStateException naming a partition asked that is not live here
     */
    public StaticResult setStatic(
            String tenant,
            String id,
            Set<String> profileIds,
            io.strata.proto.segmentation.v1.StaticMode mode,
            Collection<Integer> numbers) {
        Pending pending = new Pending();
        Instant now = clock.instant();
        Map<Integer, Long> sizes = new TreeMap<>();
        Set<String> known = new HashSet<>();
        write(() -> {
            for (int number : numbers) {
                Partition partition = partitions.get(number);
                if (partition == null || !partition.live) {
                    throw new IllegalStateException("partition " + number + " is not live on this replica");
                }
            }
            for (int number : numbers) {
                Partition partition = partitions.get(number);
                TenantShard shard = partition.tenants.get(tenant);
                if (shard == null) {
                    sizes.put(number, 0L);
                    continue;
                }
                RoaringBitmap given = new RoaringBitmap();
                for (String profileId : profileIds) {
                    var ordinal = shard.table().find(profileId);
                    if (ordinal.isPresent()) {
                        given.add(ordinal.getAsInt());
                        known.add(profileId);
                    }
                }
                RoaringBitmap current = shard.audiences().members(id);
                RoaringBitmap wanted = switch (mode) {
                    case STATIC_MODE_ADD -> RoaringBitmap.or(current, given);
                    case STATIC_MODE_REMOVE -> RoaringBitmap.andNot(current, given);
                    default -> given;
                };
                pending.add(
                        number,
                        shard,
                        shard.audiences().setMembers(id, wanted, now),
                        MembershipCause.MEMBERSHIP_CAUSE_SEGMENT_CHANGED,
                        now);
                sizes.put(number, shard.audiences().members(id).getLongCardinality());
            }
        });
        commit(pending);
        return new StaticResult(sizes, profileIds.size() - known.size());
    }

    private void commit(Pending pending) {
        if (pending.members.isEmpty() && pending.offsets.isEmpty() && pending.applied.isEmpty()) {
            return;
        }
        store.store(pending.write()).await().atMost(timeout());
        if (!pending.records.isEmpty()) {
            afterWrite.run();
        }
    }

    /** The feed records not applied yet on this replica's partitions (-1: unknown). */
    public void reportLag(long records) {
        this.lag = records;
    }

    // ---- shared helpers ----

    private TenantShard shard(Partition partition, String tenant) {
        TenantShard shard = partition.tenants.get(tenant);
        if (shard == null) {
            shard = new TenantShard(tenant, config.timeZone());
            partition.tenants.put(tenant, shard);
            if (partition.live) {
                // a tenant new to this partition: its audiences start empty, as its table
                for (Segment segment : ordered(tenant)) {
                    Condition rule = segment.kind() == Segment.Kind.RULE ? condition(segment) : null;
                    if (segment.kind() == Segment.Kind.STATIC || rule != null) {
                        shard.audiences().restore(segment.id(), rule, new RoaringBitmap());
                        shard.segmentVersions().put(segment.id(), segment.version());
                    }
                }
            }
        }
        return shard;
    }

    /** The tenant's active audiences, each after those it names. */
    private List<Segment> ordered(String tenant) {
        Map<String, Segment> byId = active.getOrDefault(tenant, Map.of());
        List<Segment> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String id : new TreeMap<>(byId).keySet()) {
            visit(id, byId, done, new HashSet<>(), out);
        }
        return out;
    }

    private void visit(
            String id, Map<String, Segment> byId, Set<String> done, Set<String> visiting, List<Segment> out) {
        Segment segment = byId.get(id);
        if (segment == null || done.contains(id) || !visiting.add(id)) {
            return;
        }
        Condition rule = segment.kind() == Segment.Kind.RULE ? condition(segment) : null;
        if (rule != null) {
            for (String named : Evaluator.references(rule)) {
                visit(named, byId, done, visiting, out);
            }
        }
        done.add(id);
        out.add(segment);
    }

    /** A stored definition read against the tenant's fields; null (logged) if it no longer reads. */
    private Condition condition(Segment segment) {
        try {
            return new ConditionParser(catalog(segment.tenant())).parse(JSON.readTree(segment.definition()));
        } catch (Exception e) {
            LOG.errorf("audience %s of tenant %s does not read: %s", segment.id(), segment.tenant(), e.getMessage());
            return null;
        }
    }

    /** The fields a tenant's definitions may name. */
    public FieldCatalog catalog(String tenant) {
        return new FieldCatalog(traitTypes.getOrDefault(tenant, Map.of()), config.eventRetentionDays());
    }

    private FieldType traitType(String tenant, String trait, Value first) {
        Map<String, FieldType> types = traitTypes.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>());
        FieldType type = types.get(trait);
        if (type == null) {
            type = store.registerTrait(tenant, trait, FeedApplier.typeOf(first))
                    .await()
                    .atMost(timeout());
            types.put(trait, type);
        }
        return type;
    }

    private void write(Runnable action) {
        working(() -> {
            lock.writeLock().lock();
            try {
                action.run();
            } finally {
                lock.writeLock().unlock();
            }
        });
    }

    /** Runs work of the engine's thread; {@link #stuck} watches it. */
    private void working(Runnable action) {
        progress.run("waiting for the queries reading the tables to let go of them", action);
    }

    /** The engine's thread moves on to another piece of work (it is not stuck). */
    private void progress(String what) {
        progress.progress(what);
    }

    /**
     * What the engine's thread has been doing without progress for longer than {@code limit} (an
     * evaluation that hangs, a snapshot that never ends), if anything: it holds every write, and the
     * replica must be restarted to try again (its liveness fails).
     */
    public Optional<String> stuck(Duration limit) {
        return progress.stuck(limit);
    }

    /** How long the engine's thread has been on its current piece of work (0 when idle). */
    public double busySeconds() {
        return progress.seconds();
    }

    private <T> T read(java.util.function.Supplier<T> query) {
        lock.readLock().lock();
        try {
            return query.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- queries (any thread) ----

    /** Whether every partition this replica owns is live. */
    public boolean complete() {
        return read(() -> partitions.values().stream().allMatch(p -> p.live));
    }

    public long lag() {
        return lag;
    }

    /** How many partitions of the feed this replica serves. */
    public double livePartitions() {
        return read(
                () -> (double) partitions.values().stream().filter(p -> p.live).count());
    }

    /** The feed's partitions (of its changes topic), as the consumer last saw them; 0 until known. */
    public int feedPartitions() {
        return feedPartitions;
    }

    public void feedPartitions(int count) {
        this.feedPartitions = count;
    }

    /** The partitions this replica serves now (loaded and live), ascending. */
    public List<Integer> live() {
        return read(() -> partitions.values().stream()
                .filter(p -> p.live)
                .map(p -> p.number)
                .toList());
    }

    /**
     * Per live partition, for each audience (in order) its members there and, with {@code overlap},
     * per combination of the audiences (a bit per audience) the profiles in exactly those.
     */
    public Map<Integer, Counts> count(String tenant, List<String> ids, boolean overlap) {
        return read(() -> {
            Map<Integer, Counts> out = new TreeMap<>();
            for (Partition partition : partitions.values()) {
                if (!partition.live) {
                    continue;
                }
                long[] sizes = new long[ids.size()];
                long[] regions = overlap ? new long[1 << ids.size()] : new long[0];
                TenantShard shard = partition.tenants.get(tenant);
                if (shard != null) {
                    for (int i = 0; i < ids.size(); i++) {
                        sizes[i] = shard.audiences().members(ids.get(i)).getLongCardinality();
                    }
                    for (int mask = 1; mask < regions.length; mask++) {
                        RoaringBitmap region = shard.table().live().clone();
                        for (int i = 0; i < ids.size(); i++) {
                            RoaringBitmap members = shard.audiences().members(ids.get(i));
                            if ((mask & (1 << i)) != 0) {
                                region.and(members);
                            } else {
                                region.andNot(members);
                            }
                        }
                        regions[mask] = region.getLongCardinality();
                    }
                }
                out.put(partition.number, new Counts(sizes, regions, 0));
            }
            return out;
        });
    }

    /** One partition's counts: sizes per audience asked, regions per combination, profiles looked at. */
    public record Counts(long[] sizes, long[] regions, long profiles) {}

    /** Per live partition, how many profiles a definition would hold now (and how many it looked at). */
    public Map<Integer, Counts> preview(String tenant, Condition rule) {
        Instant now = clock.instant();
        return read(() -> {
            Map<Integer, Counts> out = new TreeMap<>();
            for (Partition partition : partitions.values()) {
                if (!partition.live) {
                    continue;
                }
                TenantShard shard = partition.tenants.get(tenant);
                long size = 0;
                long profiles = 0;
                if (shard != null) {
                    Function<String, RoaringBitmap> named = shard.audiences()::members;
                    size = new BitmapEvaluator(shard.table(), now, named)
                            .evaluate(rule)
                            .getLongCardinality();
                    profiles = shard.table().size();
                }
                out.put(partition.number, new Counts(new long[] {size}, new long[0], profiles));
            }
            return out;
        });
    }

    /**
     * The audiences a profile is in, looked up on the partition its key falls on: null when that
     * partition is not live here, empty when it does not hold the profile ({@link #NOT_FOUND}).
     */
    public Set<String> segmentsOf(String tenant, String profileId, int number) {
        return read(() -> {
            Partition partition = partitions.get(number);
            if (partition == null || !partition.live) {
                return null;
            }
            TenantShard shard = partition.tenants.get(tenant);
            var ordinal = shard == null
                    ? java.util.OptionalInt.empty()
                    : shard.table().find(profileId);
            return ordinal.isPresent() ? shard.audiences().segmentsOf(ordinal.getAsInt()) : NOT_FOUND;
        });
    }

    /**
     * Whether the profile is in the audience, looked up on the partition its key falls on: null when
     * that partition is not live here, false when it does not hold the profile.
     */
    public Boolean member(String tenant, String profileId, int number, String id) {
        return read(() -> {
            Partition partition = partitions.get(number);
            if (partition == null || !partition.live) {
                return null;
            }
            TenantShard shard = partition.tenants.get(tenant);
            var ordinal = shard == null
                    ? java.util.OptionalInt.empty()
                    : shard.table().find(profileId);
            return ordinal.isPresent() && shard.audiences().members(id).contains(ordinal.getAsInt());
        });
    }

    /** The tenants with profiles on the partitions live here. */
    public Set<String> tenants() {
        return read(() -> {
            Set<String> out = new java.util.TreeSet<>();
            for (Partition partition : partitions.values()) {
                if (partition.live) {
                    out.addAll(partition.tenants.keySet());
                }
            }
            return out;
        });
    }

    /**
     * Runs {@code read} on the tenant's table of each partition asked, under the read lock (the
     * feed's writer waits meanwhile); a partition that holds none of the tenant's profiles has no
     * result.
     *
     * @throws IllegalStateException naming a partition asked that is not live here (nothing read)
     */
    public <T> Map<Integer, T> readTables(String tenant, Collection<Integer> numbers, Function<ProfileTable, T> read) {
        return read(() -> {
            for (int number : numbers) {
                Partition partition = partitions.get(number);
                if (partition == null || !partition.live) {
                    throw new IllegalStateException("partition " + number + " is not live on this replica");
                }
            }
            Map<Integer, T> out = new TreeMap<>();
            for (int number : numbers) {
                TenantShard shard = partitions.get(number).tenants.get(tenant);
                if (shard != null) {
                    out.put(number, read.apply(shard.table()));
                }
            }
            return out;
        });
    }

    /** What {@link #segmentsOf} answers for a profile its partition does not hold (by identity). */
    public static final Set<String> NOT_FOUND = java.util.Collections.unmodifiableSet(new HashSet<>());

    /**
     * The audience's members on the partitions asked, as profile ids.
     *
     * @throws IllegalStateException naming a partition asked that is not live here (nothing listed)
     */
    public List<String> members(String tenant, String id, Collection<Integer> numbers) {
        return read(() -> {
            List<String> out = new ArrayList<>();
            for (int number : numbers) {
                Partition partition = partitions.get(number);
                if (partition == null || !partition.live) {
                    throw new IllegalStateException("partition " + number + " is not live on this replica");
                }
                TenantShard shard = partition.tenants.get(tenant);
                if (shard != null) {
                    shard.audiences()
                            .members(id)
                            .forEach((int ordinal) -> out.add(shard.table().profileId(ordinal)));
                }
            }
            return out;
        });
    }

    /** What one profile has, as the evaluator reads it, and whether it is in each named audience. */
    public record Subject(ProfileFacts facts, Evaluator.Context context, boolean member) {}

    /** A profile looked up on its partition: whether the partition is live here, and what was found. */
    public record Lookup<T>(boolean live, T found) {}

    /**
     * Runs {@code explain} on the profile's facts under the read lock, on the partition its key falls
     * on; {@code found} is null when that partition does not hold the profile.
     */
    public <T> Lookup<T> withProfile(
            String tenant, String profileId, int number, String id, Function<Subject, T> explain) {
        Instant now = clock.instant();
        return read(() -> {
            Partition partition = partitions.get(number);
            if (partition == null || !partition.live) {
                return new Lookup<>(false, null);
            }
            TenantShard shard = partition.tenants.get(tenant);
            var ordinal = shard == null
                    ? java.util.OptionalInt.empty()
                    : shard.table().find(profileId);
            if (ordinal.isEmpty()) {
                return new Lookup<>(true, null);
            }
            int o = ordinal.getAsInt();
            Evaluator.Context context = new Evaluator.Context(
                    now, shard.table().zone(), s -> shard.audiences().members(s).contains(o));
            return new Lookup<>(
                    true,
                    explain.apply(new Subject(
                            shard.table().facts(o),
                            context,
                            shard.audiences().members(id).contains(o))));
        });
    }

    /** The active audience's stored definition, as this replica applies it. */
    public Segment active(String tenant, String id) {
        return read(() -> active.getOrDefault(tenant, Map.of()).get(id));
    }

    /**
     * Records today's size of every active audience for the size history, without waiting (a
     * failure is logged and the next recording replaces it).
     */
    public void recordSizes() {
        LocalDate day = today();
        segments.recordSizes(day)
                .subscribe()
                .with(
                        rows -> LOG.debugf("recorded %d audience sizes of %s", rows, day),
                        failure -> LOG.warnf("recording the audiences' sizes failed: %s", failure.getMessage()));
    }

    /** Today in the zone of days (the loop rolls the windows when it changes). */
    public LocalDate today() {
        return LocalDate.now(clock);
    }
}
