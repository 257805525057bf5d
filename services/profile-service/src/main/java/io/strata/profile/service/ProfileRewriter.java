package io.strata.profile.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.strata.platform.kafka.Keys;
import io.strata.platform.outbox.OutboxRecords;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.consent.Consents;
import io.strata.profile.domain.Behaviour;
import io.strata.profile.domain.ProfileState;
import io.strata.profile.domain.Traits;
import io.strata.profile.mapping.FeedMapper;
import io.strata.profile.repository.ProfileGraphRepository;
import io.strata.profile.tags.Catalog;
import io.strata.profile.tags.ProfileTags;
import io.strata.profile.tags.TagInputs;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * Changes of profiles that do not come from events (tags set in bulk, consent statements, a
 * recompute of rule tags): the profiles are locked, changed, their rule tags brought up to date,
 * and those that changed written at their next version with the change feed's records, in the
 * caller's transaction.
 */
@ApplicationScoped
public class ProfileRewriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProfileGraphRepository graph;
    private final io.strata.profile.repository.ProfileCache cache;
    private final ProfileConfig.Feed feed;
    private final ZoneId zone;

    public ProfileRewriter(
            ProfileGraphRepository graph, io.strata.profile.repository.ProfileCache cache, ProfileConfig config) {
        this.graph = graph;
        this.cache = cache;
        this.feed = config.feed();
        this.zone = config.timeZone();
    }

    /** Profiles found and profiles changed. */
    public record Outcome(int profiles, int changed) {}

    public Uni<Outcome> rewrite(
            SqlConnection conn,
            String tenant,
            Catalog catalog,
            Collection<UUID> ids,
            boolean everything,
            BiConsumer<UUID, ProfileState> change,
            Instant now) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(new Outcome(0, 0));
        }
        // their versions move on: what the event batches of this replica knew of them is dropped
        cache.forget(tenant, ids, List.of());
        return graph.lockContents(conn, tenant, ids)
                .chain(stored -> write(conn, tenant, catalog, stored, everything, change, now));
    }

    private Uni<Outcome> write(
            SqlConnection conn,
            String tenant,
            Catalog catalog,
            List<ProfileGraphRepository.StoredContents> stored,
            boolean everything,
            BiConsumer<UUID, ProfileState> change,
            Instant now) {
        List<UUID> written = new ArrayList<>();
        List<Long> versions = new ArrayList<>();
        List<ProfileGraphRepository.Contents> contents = new ArrayList<>();
        OutboxRecords records = new OutboxRecords();
        for (ProfileGraphRepository.StoredContents row : stored) {
            ProfileState state = state(row, zone);
            change.accept(row.id(), state);
            TagInputs.evaluate(catalog, state, everything, now, zone);
            if (!state.changed()) {
                continue;
            }
            written.add(row.id());
            versions.add(row.version());
            contents.add(new ProfileGraphRepository.Contents(
                    null,
                    null,
                    null,
                    row.firstSeen(),
                    row.lastSeen(),
                    state.tags().changed().isEmpty() ? null : state.tags().json(),
                    state.consentsDirty() ? state.consents().json() : null,
                    null));
            records.add(
                    feed.profileChangesTopic(),
                    Keys.profile(tenant, row.id().toString()),
                    FeedMapper.updated(tenant, state, row.version() + 1, now).toByteArray());
        }
        Outcome outcome = new Outcome(stored.size(), written.size());
        return graph.touch(conn, tenant, written, versions, contents, now)
                .chain(() -> graph.outbox(conn, tenant, records.size(), records.encode()))
                .replaceWith(outcome);
    }

    /** A stored profile as a write works on it (traits and consent read only when needed). */
    static ProfileState state(ProfileGraphRepository.StoredContents row, ZoneId zone) {
        try {
            Behaviour behaviour = JSON.readValue(row.behaviour(), Behaviour.class);
            return new ProfileState(row.id(), () -> traits(row), behaviour, row.firstSeen(), row.lastSeen())
                    .stored(
                            ProfileTags.parse(row.tags()),
                            () -> Consents.parse(row.consents()),
                            Behaviour.day(row.updatedAt(), zone),
                            row.identityCounts());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored contents of a profile are not readable: " + e.getMessage(), e);
        }
    }

    private static Traits traits(ProfileGraphRepository.StoredContents row) {
        try {
            var values = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(row.traits());
            Map<String, Long> times =
                    JSON.readValue(row.traitTimes(), new com.fasterxml.jackson.core.type.TypeReference<>() {});
            return new Traits(values, times);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored traits of a profile are not readable: " + e.getMessage(), e);
        }
    }
}
