package io.strata.profile.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.strata.platform.logging.LogSafe;
import io.strata.profile.domain.GraphOverlay;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityResolver;
import io.strata.profile.domain.IncomingEvent;
import io.strata.profile.domain.Resolution;
import io.strata.profile.repository.ProfileGraphRepository;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Applies accepted events to profiles: identity resolution, traits, behaviour counts. A batch is
 * one transaction, and each event's id is stored with its effect, so a batch redelivered after a
 * crash is applied exactly once. Writers running at once (replicas, consumers of one replica)
 * cannot split or lose a profile: a batch that finds the graph changed under it fails with
 * {@link io.strata.profile.repository.ConcurrentChangeException} and is applied again
 * ({@link ProfileGraphRepository}).
 *
 * <p>A batch costs a handful of statements, not a few per event: the events' ids are claimed in
 * one statement, the owners of all their identifiers read in one query, the events resolved one
 * after the other against that graph in memory ({@link GraphOverlay}), and the new profiles,
 * identifiers, traits and counts written with one statement each. A merge is written at once (it
 * moves what the database holds), after the writes pending before it.
 */
@ApplicationScoped
public class EventApplier {

    private static final Logger LOG = Logger.getLogger(EventApplier.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProfileGraphRepository graph;
    private final Clock clock;
    private final Counter applied;
    private final Counter duplicates;
    private final Counter unattributed;

    public EventApplier(ProfileGraphRepository graph, MeterRegistry registry) {
        this.graph = graph;
        this.clock = Clock.systemUTC();
        this.applied = registry.counter("strata_profile_events_total", "outcome", "applied");
        this.duplicates = registry.counter("strata_profile_events_total", "outcome", "duplicate");
        this.unattributed = registry.counter("strata_profile_events_total", "outcome", "no_identity");
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
                            Uni<Void> chain = Uni.createFrom().voidItem();
                            for (var tenant : fresh.entrySet()) {
                                chain = chain.chain(() -> applyTenant(conn, tenant.getKey(), tenant.getValue(), now));
                            }
                            return chain.replaceWith(taken.size());
                        }));
        return applying.invoke(n -> {
            applied.increment(n);
            duplicates.increment(attributable.size() - n);
            unattributed.increment(orphans.size());
            for (IncomingEvent event : orphans) {
                LOG.warnf(
                        "event %s of tenant %s carries no usable identifier; not attributed to a profile",
                        LogSafe.text(event.messageId()), LogSafe.text(event.tenant()));
            }
        });
    }

    private Uni<Void> applyTenant(SqlConnection conn, String tenant, List<IncomingEvent> events, Instant now) {
        Set<IdentityKey> identities = new LinkedHashSet<>();
        events.forEach(e -> identities.addAll(e.identities()));
        return graph.owners(conn, tenant, identities).chain(owned -> {
            Batch batch = new Batch(conn, tenant, new GraphOverlay(owned), now);
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (IncomingEvent event : events) {
                chain = chain.chain(() -> batch.apply(event));
            }
            return chain.chain(batch::flush);
        });
    }

    /** One tenant's events of a batch: resolved in order, written together. */
    private final class Batch {
        private final SqlConnection conn;
        private final String tenant;
        private final GraphOverlay overlay;
        private final Instant now;
        private long tick;

        private final List<UUID> created = new ArrayList<>();
        private final List<Instant> createdAt = new ArrayList<>();
        private final List<UUID> attachTo = new ArrayList<>();
        private final List<IdentityKey> attached = new ArrayList<>();
        private final Map<UUID, Touch> touches = new LinkedHashMap<>();
        private final Map<UUID, Map<String, Count>> counts = new LinkedHashMap<>();

        Batch(SqlConnection conn, String tenant, GraphOverlay overlay, Instant now) {
            this.conn = conn;
            this.tenant = tenant;
            this.overlay = overlay;
            this.now = now;
        }

        Uni<Void> apply(IncomingEvent event) {
            Resolution resolution = IdentityResolver.resolve(event.identities(), overlay.owned(event.identities()));
            UUID target = resolution.target();
            if (target == null) {
                target = UUID.randomUUID();
                // profiles of one batch keep their order of creation, as one by one they would
                Instant at = now.plusNanos(tick++ * 1000);
                created.add(target);
                createdAt.add(at);
                overlay.created(target, at);
            }
            UUID profile = target;
            Uni<Void> merges = Uni.createFrom().voidItem();
            if (!resolution.merge().isEmpty()) {
                // a merge moves what the database holds: what is pending goes first
                merges = flush();
                for (UUID merged : resolution.merge()) {
                    merges = merges.chain(() -> graph.merge(
                                    conn,
                                    tenant,
                                    merged,
                                    overlay.version(merged),
                                    profile,
                                    overlay.version(profile),
                                    now))
                            .invoke(() -> {
                                overlay.written(profile);
                                overlay.merged(merged, profile);
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
            touches.computeIfAbsent(profile, p -> new Touch()).add(event);
            counts.computeIfAbsent(profile, p -> new LinkedHashMap<>())
                    .computeIfAbsent(event.countName(), n -> new Count())
                    .add(event.timestamp());
        }

        /** Writes what is pending: new profiles, then identifiers, traits and counts. */
        Uni<Void> flush() {
            List<UUID> newProfiles = List.copyOf(created);
            List<Instant> newAt = List.copyOf(createdAt);
            List<UUID> owners = List.copyOf(attachTo);
            List<IdentityKey> identities = List.copyOf(attached);
            List<UUID> touched = new ArrayList<>();
            List<Long> versions = new ArrayList<>();
            List<String> traits = new ArrayList<>();
            List<Instant> firstSeen = new ArrayList<>();
            List<Instant> lastSeen = new ArrayList<>();
            touches.forEach((profile, touch) -> {
                touched.add(profile);
                versions.add(overlay.version(profile));
                overlay.written(profile);
                traits.add(touch.traits.toString());
                firstSeen.add(touch.first);
                lastSeen.add(touch.last);
            });
            List<UUID> counted = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<Long> amounts = new ArrayList<>();
            List<Instant> firstAt = new ArrayList<>();
            List<Instant> lastAt = new ArrayList<>();
            counts.forEach((profile, byName) -> byName.forEach((name, count) -> {
                counted.add(profile);
                names.add(name);
                amounts.add(count.n);
                firstAt.add(count.first);
                lastAt.add(count.last);
            }));
            created.clear();
            createdAt.clear();
            attachTo.clear();
            attached.clear();
            touches.clear();
            counts.clear();
            // the touch goes first: it locks the profiles (at the versions read) before their
            // identifiers and counts are written
            return graph.createProfiles(conn, tenant, newProfiles, newAt)
                    .chain(() -> graph.touch(conn, tenant, touched, versions, traits, firstSeen, lastSeen, now))
                    .chain(() -> graph.attach(conn, tenant, owners, identities, now))
                    .chain(() -> graph.count(conn, tenant, counted, names, amounts, firstAt, lastAt));
        }
    }

    /** A profile's traits (merged in event order) and the span of its events' times. */
    private static final class Touch {
        final ObjectNode traits = JSON.createObjectNode();
        Instant first;
        Instant last;

        void add(IncomingEvent event) {
            if (event.traitsJson() != null) {
                try {
                    if (JSON.readTree(event.traitsJson()) instanceof ObjectNode object) {
                        traits.setAll(object);
                    }
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("traits are not JSON: " + e.getOriginalMessage(), e);
                }
            }
            first = first == null || event.timestamp().isBefore(first) ? event.timestamp() : first;
            last = last == null || event.timestamp().isAfter(last) ? event.timestamp() : last;
        }
    }

    /** Events of one name on one profile. */
    private static final class Count {
        long n;
        Instant first;
        Instant last;

        void add(Instant at) {
            n++;
            first = first == null || at.isBefore(first) ? at : first;
            last = last == null || at.isAfter(last) ? at : last;
        }
    }

    /** Forgets dedup keys older than the retention; redeliveries only happen within minutes. */
    public Uni<Integer> purgeProcessed(Instant before) {
        return graph.purgeProcessed(before);
    }
}
