package io.strata.profile.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.strata.platform.kafka.Keys;
import io.strata.platform.logging.LogSafe;
import io.strata.platform.outbox.OutboxRecords;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.domain.Behaviour;
import io.strata.profile.domain.GraphOverlay;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityResolver;
import io.strata.profile.domain.IdentityRules;
import io.strata.profile.domain.IncomingEvent;
import io.strata.profile.domain.ProfileState;
import io.strata.profile.domain.Resolution;
import io.strata.profile.identity.IdentityRuleStore;
import io.strata.profile.mapping.FeedMapper;
import io.strata.profile.messaging.OutboxRelay;
import io.strata.profile.repository.ConcurrentChangeException;
import io.strata.profile.repository.ProfileCache;
import io.strata.profile.repository.ProfileGraphRepository;
import io.strata.profile.tags.Catalog;
import io.strata.profile.tags.TagCatalogs;
import io.strata.profile.tags.TagInputs;
import io.strata.proto.profile.v1.ProfileChange;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Applies accepted events to profiles: identity resolution, traits (last write wins on the event's
 * time), behaviour aggregates ({@link Behaviour}), and the change feed's records of it all, written
 * to the outbox in the same transaction ({@link OutboxRelay} sends them once it committed). A batch
 * is one transaction, and each event's id is stored with its effect, so a batch redelivered after a
 * crash is applied exactly once, and announced once. Writers running at once (replicas, consumers of one replica)
 * cannot split or lose a profile: a batch that finds the graph changed under it fails with
 * {@link io.strata.profile.repository.ConcurrentChangeException} and is applied again
 * ({@link ProfileGraphRepository}).
 *
 * <p>A batch costs a handful of statements, not a few per event: the events' ids are claimed in
 * one statement, the owners of all their identifiers and those profiles' contents read in two
 * queries, the events resolved and folded in one after the other in memory ({@link GraphOverlay},
 * {@link ProfileState}), and the new profiles, contents, identifiers, totals per event name and feed records
 * written with one statement each. A merge is written at once (it
 * moves what the database holds), after the writes pending before it.
 */
@ApplicationScoped
public class EventApplier {

    private static final Logger LOG = Logger.getLogger(EventApplier.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProfileGraphRepository graph;
    private final TagCatalogs catalogs;
    private final IdentityRuleStore identityRules;
    private final ProfileCache cache;
    private final ProfileConfig.Feed feed;
    private final ZoneId zone;
    private final OutboxRelay relay;
    private final Clock clock;
    private final Counter applied;
    private final Counter duplicates;
    private final Counter unattributed;
    private final Counter suppressedEvents;
    private final Counter blockedEvents;

    public EventApplier(
            ProfileGraphRepository graph,
            TagCatalogs catalogs,
            IdentityRuleStore identityRules,
            ProfileCache cache,
            ProfileConfig config,
            OutboxRelay relay,
            MeterRegistry registry) {
        this.graph = graph;
        this.catalogs = catalogs;
        this.identityRules = identityRules;
        this.cache = cache;
        this.feed = config.feed();
        this.zone = config.timeZone();
        this.relay = relay;
        this.clock = Clock.systemUTC();
        this.applied = registry.counter("strata_profile_events_total", "outcome", "applied");
        this.duplicates = registry.counter("strata_profile_events_total", "outcome", "duplicate");
        this.unattributed = registry.counter("strata_profile_events_total", "outcome", "no_identity");
        this.suppressedEvents = registry.counter("strata_profile_events_total", "outcome", "suppressed");
        this.blockedEvents = registry.counter("strata_profile_events_total", "outcome", "blocked");
    }

    /**
     * Applies the events in order, in one transaction; emits how many were new. The metrics and logs
     * of the batch are written once it committed, so a batch applied again counts once.
     */
    public Uni<Integer> apply(List<IncomingEvent> events) {
        List<IncomingEvent> attributable = new ArrayList<>(events.size());
        List<IncomingEvent> orphans = new ArrayList<>();
        for (IncomingEvent event : events) {
            (event.identities().isEmpty() ? orphans : attributable).add(event);
        }
        Instant now = clock.instant();
        // events dropped: [0] carrying a suppressed identifier, [1] carrying only blocked values
        int[] dropped = {0, 0};
        List<Batch> batches = new ArrayList<>();
        Uni<Integer> applying = attributable.isEmpty()
                ? Uni.createFrom().item(0)
                : graph.inTransaction(conn -> graph.claim(conn, attributable, now)
                        .chain(claimed -> {
                            // the first of several copies in the batch is the one applied
                            Map<String, List<IncomingEvent>> fresh = new LinkedHashMap<>();
                            Set<String> taken = new HashSet<>();
                            for (IncomingEvent e : attributable) {
                                String key = ProfileGraphRepository.key(e.tenant(), e.sourceId(), e.messageId());
                                if (claimed.contains(key) && taken.add(key)) {
                                    fresh.computeIfAbsent(e.tenant(), t -> new ArrayList<>())
                                            .add(e);
                                }
                            }
                            dropped[0] = 0;
                            dropped[1] = 0;
                            Uni<Void> chain = Uni.createFrom().voidItem();
                            for (var tenant : fresh.entrySet()) {
                                chain = chain.chain(
                                        () -> applyTenant(conn, tenant.getKey(), tenant.getValue(), now, batches)
                                                .invoke(n -> {
                                                    dropped[0] += n[0];
                                                    dropped[1] += n[1];
                                                })
                                                .replaceWithVoid());
                            }
                            return chain.replaceWith(taken.size());
                        }));
        return applying.onFailure().invoke(e -> forget(attributable, batches)).invoke(n -> {
            // what committed is what the next batch may start from
            batches.forEach(Batch::committed);
            if (n > 0) {
                relay.wake();
            }
            applied.increment(n - dropped[0] - dropped[1]);
            suppressedEvents.increment(dropped[0]);
            blockedEvents.increment(dropped[1]);
            duplicates.increment(attributable.size() - n);
            unattributed.increment(orphans.size());
            for (IncomingEvent event : orphans) {
                LOG.warnf(
                        "event %s of tenant %s carries no usable identifier; not attributed to a profile",
                        LogSafe.text(event.messageId()), LogSafe.text(event.tenant()));
            }
        });
    }

    /**
     * Applies one tenant's events, except those carrying an identifier of a deleted person, and
     * those left without an identifier once the tenant's blocked values are taken out (both dropped);
     * emits how many of each were dropped.
     */
    private Uni<int[]> applyTenant(
            SqlConnection conn, String tenant, List<IncomingEvent> all, Instant now, List<Batch> batches) {
        return identityRules.get(tenant).chain(rules -> {
            List<IncomingEvent> usable = all;
            int blocked = 0;
            if (rules.hasBlocked()) {
                usable = new ArrayList<>(all.size());
                for (IncomingEvent e : all) {
                    List<IdentityKey> kept = new ArrayList<>(e.identities().size());
                    e.identities().forEach(i -> {
                        if (!rules.isBlocked(i)) {
                            kept.add(i);
                        }
                    });
                    if (kept.isEmpty()) {
                        blocked++;
                    } else {
                        usable.add(kept.size() == e.identities().size() ? e : e.withIdentities(List.copyOf(kept)));
                    }
                }
            }
            int blockedEvents = blocked;
            return applyUsable(conn, tenant, usable, rules, now, batches)
                    .map(suppressed -> new int[] {suppressed, blockedEvents});
        });
    }

    /** Applies the events except those carrying a suppressed identifier; emits how many those were. */
    private Uni<Integer> applyUsable(
            SqlConnection conn,
            String tenant,
            List<IncomingEvent> all,
            IdentityRules rules,
            Instant now,
            List<Batch> batches) {
        if (all.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Map<IdentityKey, String> hashes = new HashMap<>();
        all.forEach(e -> e.identities().forEach(i -> hashes.computeIfAbsent(i, ProfileCommands::hash)));
        Set<IdentityKey> identities = new LinkedHashSet<>();
        all.forEach(e -> {
            identities.addAll(e.identities());
            identities.addAll(e.aliases());
        });
        // the owners this replica committed last need no query; the others are read
        List<GraphOverlay.Owned> known = new ArrayList<>();
        Map<UUID, ProfileCache.Entry> entries = new HashMap<>();
        Set<IdentityKey> unknown = new LinkedHashSet<>();
        for (IdentityKey identity : identities) {
            ProfileCache.Owned owned = cache.owner(tenant, identity);
            if (owned == null) {
                unknown.add(identity);
            } else {
                var stored = owned.entry().contents();
                known.add(new GraphOverlay.Owned(
                        identity,
                        owned.profile(),
                        owned.entry().createdAt(),
                        stored.identityCounts(),
                        stored.version()));
                entries.put(owned.profile(), owned.entry());
            }
        }
        Uni<List<GraphOverlay.Owned>> owners =
                unknown.isEmpty() ? Uni.createFrom().item(List.of()) : graph.owners(conn, tenant, unknown);
        // both queries go out at once (pipelined on the connection): one round trip, not two
        return Uni.combine()
                .all()
                .unis(graph.suppressed(conn, tenant, hashes.values()), owners)
                .asTuple()
                .chain(found -> {
                    Set<String> suppressed = found.getItem1();
                    List<IncomingEvent> allowed = all;
                    if (!suppressed.isEmpty()) {
                        allowed = new ArrayList<>();
                        for (IncomingEvent e : all) {
                            if (e.identities().stream().noneMatch(i -> suppressed.contains(hashes.get(i)))) {
                                allowed.add(e);
                            }
                        }
                    }
                    List<GraphOverlay.Owned> owned = new ArrayList<>(found.getItem2());
                    for (GraphOverlay.Owned read : found.getItem2()) {
                        ProfileCache.Entry entry = entries.get(read.profile());
                        if (entry != null && entry.contents().version() != read.profileVersion()) {
                            // another writer changed a profile this replica knew: what it knew may be stale
                            cache.forget(tenant, List.of(read.profile()), identities);
                            throw new ConcurrentChangeException("profile " + read.profile() + " changed elsewhere");
                        }
                    }
                    owned.addAll(known);
                    int dropped = all.size() - allowed.size();
                    return (allowed.isEmpty()
                                    ? Uni.createFrom().voidItem()
                                    : applyAllowed(conn, tenant, allowed, owned, entries, rules, now, batches))
                            .replaceWith(dropped);
                });
    }

    /** After a failed attempt: what this replica knew of the batch's profiles and identifiers is dropped. */
    private void forget(List<IncomingEvent> events, List<Batch> batches) {
        Map<String, Set<IdentityKey>> identities = new HashMap<>();
        for (IncomingEvent e : events) {
            Set<IdentityKey> of = identities.computeIfAbsent(e.tenant(), t -> new HashSet<>());
            of.addAll(e.identities());
            of.addAll(e.aliases());
        }
        identities.forEach((tenant, ids) -> {
            Set<UUID> profiles = new HashSet<>();
            for (IdentityKey id : ids) {
                ProfileCache.Owned owned = cache.owner(tenant, id);
                if (owned != null) {
                    profiles.add(owned.profile());
                }
            }
            cache.forget(tenant, profiles, ids);
        });
        batches.forEach(Batch::forget);
    }

    /** Applies events none of whose identifiers is suppressed; {@code owned}: the owners of their identifiers. */
    private Uni<Void> applyAllowed(
            SqlConnection conn,
            String tenant,
            List<IncomingEvent> events,
            List<GraphOverlay.Owned> owned,
            Map<UUID, ProfileCache.Entry> entries,
            IdentityRules rules,
            Instant now,
            List<Batch> batches) {
        return catalogs.get(tenant).chain(catalog -> {
            GraphOverlay overlay = new GraphOverlay(owned);
            Set<UUID> profiles = new LinkedHashSet<>();
            List<ProfileGraphRepository.StoredContents> cached = new ArrayList<>();
            for (GraphOverlay.Owned o : owned) {
                ProfileCache.Entry entry = entries.get(o.profile());
                if (entry == null) {
                    entry = cache.profile(tenant, o.profile());
                }
                if (entry != null && entry.contents().version() == overlay.version(o.profile())) {
                    if (profiles.add(o.profile())) {
                        cached.add(entry.contents());
                    }
                } else {
                    profiles.add(o.profile());
                }
            }
            Set<UUID> toRead = new LinkedHashSet<>(profiles);
            cached.forEach(c -> toRead.remove(c.id()));
            return graph.contents(conn, tenant, toRead).chain(contents -> {
                Batch batch = new Batch(conn, tenant, catalog, rules, overlay, now);
                batches.add(batch);
                cached.forEach(batch::load);
                contents.forEach(batch::load);
                Uni<Void> chain = Uni.createFrom().voidItem();
                for (IncomingEvent event : events) {
                    chain = chain.chain(() -> batch.apply(event));
                }
                return chain.chain(batch::flush);
            });
        });
    }

    /** One tenant's events of a batch: resolved in order, written together with the records announcing them. */
    private final class Batch {
        private final SqlConnection conn;
        private final String tenant;
        private final Catalog catalog;
        private final IdentityRules rules;
        private final GraphOverlay overlay;
        private final Instant now;
        private final int today;
        private long tick;

        private final Map<UUID, ProfileState> states = new HashMap<>();
        private final List<UUID> created = new ArrayList<>();
        private final List<Instant> createdAt = new ArrayList<>();
        private final List<UUID> attachTo = new ArrayList<>();
        private final List<IdentityKey> attached = new ArrayList<>();
        private final Set<UUID> touched = new LinkedHashSet<>();
        /** Per event name: events, and profiles that had none before (the tenant's totals). */
        private final Map<String, long[]> totals = new HashMap<>();

        private final Outbox outbox = new Outbox();
        private final ProfileGraphRepository.EventLog log = new ProfileGraphRepository.EventLog();
        private final Map<String, ProfileGraphRepository.Refused> refused = new LinkedHashMap<>();
        /** Every profile of the batch as it will be stored once the batch committed. */
        private final Map<UUID, ProfileGraphRepository.StoredContents> current = new HashMap<>();

        private final Set<UUID> mergedAway = new HashSet<>();

        Batch(
                SqlConnection conn,
                String tenant,
                Catalog catalog,
                IdentityRules rules,
                GraphOverlay overlay,
                Instant now) {
            this.conn = conn;
            this.tenant = tenant;
            this.catalog = catalog;
            this.rules = rules;
            this.overlay = overlay;
            this.now = now;
            this.today = Behaviour.day(now, zone);
        }

        void load(ProfileGraphRepository.StoredContents stored) {
            states.put(stored.id(), ProfileRewriter.state(stored, zone));
            current.put(stored.id(), stored);
        }

        /** The batch committed: the next batch may start from what it wrote. */
        void committed() {
            mergedAway.forEach(id -> cache.remove(tenant, id));
            Map<UUID, List<IdentityKey>> identities = overlay.identities();
            current.forEach((id, stored) -> cache.put(
                    tenant,
                    new ProfileCache.Entry(stored, overlay.createdAt(id)),
                    identities.getOrDefault(id, List.of())));
        }

        /** The batch failed: nothing it saw is trusted. */
        void forget() {
            cache.forget(
                    tenant,
                    current.keySet(),
                    overlay.identities().values().stream().flatMap(List::stream).toList());
            cache.forget(tenant, mergedAway, List.of());
        }

        /** What the profile is stored as once the write {@code written} (at {@code version}) committed. */
        private void remember(UUID profile, ProfileState state, ProfileGraphRepository.Contents written, long version) {
            ProfileGraphRepository.StoredContents before = current.get(profile);
            current.put(
                    profile,
                    new ProfileGraphRepository.StoredContents(
                            profile,
                            written.traits() != null ? written.traits() : before == null ? "{}" : before.traits(),
                            written.traitTimes() != null
                                    ? written.traitTimes()
                                    : before == null ? "{}" : before.traitTimes(),
                            written.behaviour(),
                            written.firstSeen(),
                            written.lastSeen(),
                            written.tags() != null ? written.tags() : before == null ? null : before.tags(),
                            written.consents() != null ? written.consents() : before == null ? null : before.consents(),
                            version,
                            now,
                            java.util.Map.copyOf(state.identityCounts())));
        }

        Uni<Void> apply(IncomingEvent event) {
            Set<IdentityKey> aliases = event.aliases();
            List<IdentityKey> lookup = event.identities();
            if (!aliases.isEmpty()) {
                lookup = new ArrayList<>(lookup);
                lookup.addAll(aliases);
            }
            Resolution resolution = IdentityResolver.resolve(event.identities(), aliases, overlay.owned(lookup), rules);
            UUID target = resolution.target();
            if (target == null) {
                target = UUID.randomUUID();
                // profiles of one batch keep their order of creation, as one by one they would
                Instant at = now.plusNanos(tick++ * 1000);
                created.add(target);
                createdAt.add(at);
                overlay.created(target, at);
                states.put(target, ProfileState.created(target));
            }
            UUID profile = target;
            for (Resolution.Refusal refusal : resolution.refused()) {
                // one row per profile and identifier, however often the batch met it
                refused.merge(
                        profile + "/" + refusal.identity().type() + "/"
                                + refusal.identity().value(),
                        new ProfileGraphRepository.Refused(profile, refusal, 1),
                        (a, b) -> new ProfileGraphRepository.Refused(profile, refusal, a.times() + 1));
            }
            Uni<Void> merges = Uni.createFrom().voidItem();
            if (!resolution.merge().isEmpty()) {
                // a merge moves what the database holds: what is pending goes first
                merges = flush();
                for (UUID merged : resolution.merge()) {
                    merges = merges.chain(() -> {
                        long mergedVersion = overlay.version(merged);
                        return graph.merge(conn, tenant, merged, mergedVersion, profile, overlay.version(profile), now)
                                .invoke(moved -> {
                                    overlay.written(profile);
                                    overlay.merged(merged, profile);
                                    current.remove(merged);
                                    mergedAway.add(merged);
                                    ProfileState survivor = states.get(profile);
                                    ProfileState gone = states.remove(merged);
                                    // names both had: one profile fewer has them
                                    gone.behaviour().events.keySet().forEach(name -> {
                                        if (survivor.behaviour().events.containsKey(name)) {
                                            totals.computeIfAbsent(name, n -> new long[2])[1]--;
                                        }
                                    });
                                    survivor.merge(gone, today);
                                    survivor.attached(moved.identities());
                                    touched.add(profile);
                                    outbox.change(FeedMapper.merged(tenant, merged, mergedVersion + 1, profile, now));
                                    // its history follows under the survivor's key, for a consumer
                                    // serving the survivor on another partition
                                    for (ProfileGraphRepository.LoggedEvent logged : moved.events()) {
                                        outbox.event(
                                                profile,
                                                FeedMapper.movedEvent(
                                                        tenant, profile, merged, logged.payload(), logged.appliedAt()));
                                    }
                                })
                                .replaceWithVoid();
                    });
                }
            }
            return merges.invoke(() -> record(event, profile, resolution.attach()));
        }

        private void record(IncomingEvent event, UUID profile, List<IdentityKey> identities) {
            for (IdentityKey identity : identities) {
                attachTo.add(profile);
                attached.add(identity);
            }
            overlay.attached(profile, identities);
            ProfileState state = states.get(profile);
            state.attached(identities);
            long[] total = totals.computeIfAbsent(event.countName(), n -> new long[2]);
            total[0]++;
            if (!state.behaviour().events.containsKey(event.countName())) {
                total[1]++;
            }
            state.apply(event, traits(event), zone, today);
            touched.add(profile);
            log.add(profile, event.timestamp(), event.bytes());
            outbox.event(profile, FeedMapper.event(event, profile, now));
        }

        /**
         * Writes what is pending: new profiles, then the touched profiles' contents (their rule tags
         * brought up to date), identifiers, counts, and the change feed's records of it all.
         */
        Uni<Void> flush() {
            List<UUID> newProfiles = List.copyOf(created);
            List<Instant> newAt = List.copyOf(createdAt);
            List<UUID> owners = List.copyOf(attachTo);
            List<IdentityKey> identities = List.copyOf(attached);
            List<UUID> written = new ArrayList<>();
            List<Long> versions = new ArrayList<>();
            List<ProfileGraphRepository.Contents> contents = new ArrayList<>();
            for (UUID profile : touched) {
                ProfileState state = states.get(profile);
                TagInputs.evaluate(catalog, state, false, now, zone);
                written.add(profile);
                versions.add(overlay.version(profile));
                overlay.written(profile);
                ProfileGraphRepository.Contents stored = contents(state);
                contents.add(stored);
                remember(profile, state, stored, overlay.version(profile));
                if (state.changed()) {
                    outbox.change(FeedMapper.updated(tenant, state, overlay.version(profile), now));
                    state.clearChanges();
                }
            }
            Map<String, long[]> deltas = Map.copyOf(totals);
            totals.clear();
            OutboxRecords records = outbox.take();
            ProfileGraphRepository.EventLog events = log.take();
            List<ProfileGraphRepository.Refused> refusals = List.copyOf(refused.values());
            refused.clear();
            created.clear();
            createdAt.clear();
            attachTo.clear();
            attached.clear();
            touched.clear();
            // the touch goes first: it locks the profiles (at the versions read) before their
            // identifiers are written
            return graph.createProfiles(conn, tenant, newProfiles, newAt)
                    .chain(() -> graph.touch(conn, tenant, written, versions, contents, now))
                    .chain(() -> graph.attach(conn, tenant, owners, identities, now))
                    .chain(() -> ProfileGraphRepository.totals(conn, tenant, deltas))
                    .chain(() -> graph.log(conn, tenant, events, now))
                    .chain(() -> graph.refused(conn, tenant, refusals, now))
                    .chain(() -> records.isEmpty()
                            ? Uni.createFrom().voidItem()
                            : graph.outbox(conn, tenant, records.size(), records.encode()));
        }

        private ProfileGraphRepository.Contents contents(ProfileState state) {
            try {
                boolean traits = state.traitsDirty();
                return new ProfileGraphRepository.Contents(
                        traits ? state.traits().values().toString() : null,
                        traits ? JSON.writeValueAsString(state.traits().times()) : null,
                        JSON.writeValueAsString(state.behaviour()),
                        state.firstSeen(),
                        state.lastSeen(),
                        state.tags().changed().isEmpty() ? null : state.tags().json(),
                        state.consentsDirty() ? state.consents().json() : null,
                        state.identityCountsDirty() ? ProfileGraphRepository.countsJson(state.identityCounts()) : null);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a profile's contents cannot be written as JSON", e);
            }
        }

        /** The records of the change feed written so far, in order. */
        private final class Outbox {
            OutboxRecords records = new OutboxRecords();

            void event(UUID profile, byte[] event) {
                records.add(feed.profileEventsTopic(), Keys.profile(tenant, profile.toString()), event);
            }

            void change(ProfileChange change) {
                records.add(
                        feed.profileChangesTopic(), Keys.profile(tenant, change.getProfileId()), change.toByteArray());
            }

            OutboxRecords take() {
                OutboxRecords taken = records;
                records = new OutboxRecords();
                return taken;
            }
        }
    }

    private static ObjectNode traits(IncomingEvent event) {
        if (event.traitsJson() == null) {
            return null;
        }
        try {
            return JSON.readTree(event.traitsJson()) instanceof ObjectNode object ? object : null;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("traits are not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Forgets dedup keys older than the retention; redeliveries only happen within minutes. */
    public Uni<Integer> purgeProcessed(Instant before) {
        return graph.purgeProcessed(before);
    }
}
