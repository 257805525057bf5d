package io.strata.profile.service;

import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.kafka.Keys;
import io.strata.platform.outbox.OutboxRecords;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.consent.Consents;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.mapping.FeedMapper;
import io.strata.profile.messaging.OutboxRelay;
import io.strata.profile.repository.ProfileGraphRepository;
import io.strata.profile.tags.TagCatalogs;
import io.strata.proto.profile.v1.ConsentUpdate;
import io.strata.proto.profile.v1.RefusedRow;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Consent statements and deletion requests: each applied in one transaction with the change
 * feed's records announcing it.
 */
@ApplicationScoped
public class ProfileCommands {

    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final Pool pool;
    private final ProfileRefs refs;
    private final ProfileRewriter rewriter;
    private final TagCatalogs catalogs;
    private final OutboxRelay relay;
    private final io.strata.profile.repository.ProfileCache cache;
    private final ProfileConfig config;
    private final Clock clock = Clock.systemUTC();

    public ProfileCommands(
            Pool pool,
            ProfileRefs refs,
            ProfileRewriter rewriter,
            TagCatalogs catalogs,
            OutboxRelay relay,
            io.strata.profile.repository.ProfileCache cache,
            ProfileConfig config) {
        this.pool = pool;
        this.refs = refs;
        this.rewriter = rewriter;
        this.catalogs = catalogs;
        this.relay = relay;
        this.cache = cache;
        this.config = config;
    }

    public record SetResult(int applied, List<RefusedRow> refused) {}

    private record Statement(Consents.Scope scope, boolean granted, String source, long at) {}

    /** Applies consent statements row by row (a statement older than the one held changes nothing). */
    public Uni<SetResult> setConsents(String tenant, List<ConsentUpdate> rows) {
        if (rows.isEmpty()) {
            throw Errors.invalid("updates", "updates are required");
        }
        if (rows.size() > config.tags().maxRows()) {
            throw Errors.invalid(
                    "updates", "at most " + config.tags().maxRows() + " updates per call, not " + rows.size());
        }
        Instant now = clock.instant();
        List<RefusedRow> refused = new ArrayList<>();
        List<Integer> rowIndex = new ArrayList<>();
        List<ProfileRefs.Ref> checked = new ArrayList<>();
        List<Statement> statements = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            ConsentUpdate row = rows.get(i);
            ProfileRefs.Ref ref = ProfileRefs.check(i, row.getProfile(), "profile", refused);
            if (ref == null) {
                continue;
            }
            if (!NAME.matcher(row.getChannel()).matches()) {
                refused.add(ProfileRefs.refusal(
                        i, "channel", "channel is required: [a-z0-9_-], at most 32 (sms, email, push, wechat...)"));
                continue;
            }
            if (!NAME.matcher(row.getPurpose()).matches()) {
                refused.add(ProfileRefs.refusal(
                        i, "purpose", "purpose is required: [a-z0-9_-], at most 32 (marketing, transactional...)"));
                continue;
            }
            if (row.getSender().length() > 100 || row.getSender().contains("|")) {
                refused.add(ProfileRefs.refusal(i, "sender", "sender has at most 100 characters and no |"));
                continue;
            }
            if (row.getSource().length() > 100) {
                refused.add(ProfileRefs.refusal(i, "source", "source has at most 100 characters"));
                continue;
            }
            Instant at = row.hasAt()
                    ? Instant.ofEpochSecond(
                            row.getAt().getSeconds(), row.getAt().getNanos())
                    : now;
            if (at.isAfter(now.plus(CLOCK_SKEW))) {
                refused.add(ProfileRefs.refusal(i, "at", "at is in the future"));
                continue;
            }
            rowIndex.add(i);
            checked.add(ref);
            statements.add(new Statement(
                    new Consents.Scope(
                            row.getChannel(), row.getPurpose(), row.getSender().strip()),
                    row.getGranted(),
                    row.getSource().isBlank() ? "api" : row.getSource().strip(),
                    at.toEpochMilli()));
        }
        return refs.resolve(tenant, checked).chain(profiles -> {
            Map<UUID, List<Statement>> byProfile = new LinkedHashMap<>();
            int applied = 0;
            for (int j = 0; j < checked.size(); j++) {
                if (profiles.get(j) == null) {
                    refused.add(ProfileRefs.refusal(rowIndex.get(j), "profile", "no profile of the tenant has it"));
                    continue;
                }
                applied++;
                byProfile
                        .computeIfAbsent(profiles.get(j), p -> new ArrayList<>())
                        .add(statements.get(j));
            }
            refused.sort(java.util.Comparator.comparingInt(RefusedRow::getRow));
            int count = applied;
            if (byProfile.isEmpty()) {
                return Uni.createFrom().item(new SetResult(0, refused));
            }
            return catalogs.get(tenant)
                    .chain(catalog -> pool.withTransaction(conn -> rewriter.rewrite(
                            conn,
                            tenant,
                            catalog,
                            byProfile.keySet(),
                            false,
                            (id, state) -> byProfile
                                    .get(id)
                                    .forEach(s -> state.consents().state(s.scope(), s.granted(), s.source(), s.at())),
                            now)))
                    .invoke(relay::wake)
                    .map(outcome -> new SetResult(count, refused));
        });
    }

    /** A deletion request as kept (no personal data). */
    public record Deletion(
            UUID id,
            String tenant,
            String status,
            String identityType,
            String reason,
            String requestedBy,
            Instant requestedAt,
            Instant completedAt,
            int profiles,
            int identifiers,
            long events) {}

    /**
     * Forgets a person: the profile (if any) with its identifiers, traits, aggregates, tags, consent,
     * counts and merge history is deleted, every identifier it had (and the one named) suppressed,
     * a deletion record written to the feed, and the request logged; all in one transaction.
     */
    public Uni<Deletion> requestDeletion(String tenant, ProfileRefs.Ref ref, String reason, String by) {
        Instant now = clock.instant();
        UUID id = UUID.randomUUID();
        return pool.withTransaction(conn -> refs.resolve(conn, tenant, List.of(ref))
                        .chain(found -> {
                            UUID profile = found.get(0);
                            Set<IdentityKey> identifiers = new LinkedHashSet<>();
                            if (ref.identity() != null) {
                                identifiers.add(ref.identity());
                            }
                            if (profile == null) {
                                if (ref.identity() == null) {
                                    throw Errors.notFound("profile " + ref.id() + " not found");
                                }
                                return finish(conn, tenant, id, ref, reason, by, now, null, identifiers, 0L);
                            }
                            return conn.preparedQuery(
                                            "select version from profiles where tenant = $1 and id = $2 for update")
                                    .execute(Tuple.of(tenant, profile))
                                    .chain(version -> conn.preparedQuery(
                                                    "select type, value from profile_identities where tenant = $1 and profile_id = $2")
                                            .execute(Tuple.of(tenant, profile))
                                            .chain(rows -> {
                                                rows.forEach(r -> identifiers.add(new IdentityKey(
                                                        IdentityType.valueOf(r.getString(0)), r.getString(1))));
                                                return conn.preparedQuery(
                                                                "select cast(behaviour as text) from profiles where tenant = $1 and id = $2")
                                                        .execute(Tuple.of(tenant, profile));
                                            })
                                            .chain(behaviourRows -> {
                                                // the person's events leave the tenant's totals
                                                Map<String, long[]> gone = new java.util.HashMap<>();
                                                long[] counted = {0};
                                                for (var e : behaviour(behaviourRows
                                                                .iterator()
                                                                .next()
                                                                .getString(0))
                                                        .events
                                                        .entrySet()) {
                                                    gone.put(e.getKey(), new long[] {-e.getValue().n, -1});
                                                    counted[0] += e.getValue().n;
                                                }
                                                long count = counted[0];
                                                long next = version.iterator()
                                                                .next()
                                                                .getLong(0)
                                                        + 1;
                                                cache.forget(tenant, List.of(profile), identifiers);
                                                return delete(conn, tenant, profile)
                                                        .chain(() -> ProfileGraphRepository.totals(conn, tenant, gone))
                                                        .chain(() -> {
                                                            OutboxRecords records = new OutboxRecords();
                                                            records.add(
                                                                    config.feed()
                                                                            .profileChangesTopic(),
                                                                    Keys.profile(tenant, profile.toString()),
                                                                    FeedMapper.deleted(tenant, profile, next, id, now)
                                                                            .toByteArray());
                                                            return conn.preparedQuery(
                                                                            "insert into profile_outbox (tenant, records, payload) values ($1, $2, $3)")
                                                                    .execute(Tuple.of(
                                                                            tenant,
                                                                            records.size(),
                                                                            io.vertx.core.buffer.Buffer.buffer(
                                                                                    records.encode())));
                                                        })
                                                        .chain(() -> finish(
                                                                conn,
                                                                tenant,
                                                                id,
                                                                ref,
                                                                reason,
                                                                by,
                                                                now,
                                                                profile,
                                                                identifiers,
                                                                count));
                                            }));
                        }))
                .invoke(relay::wake);
    }

    private static io.strata.profile.domain.Behaviour behaviour(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readValue(json, io.strata.profile.domain.Behaviour.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a profile's behaviour is not readable: " + e.getOriginalMessage(), e);
        }
    }

    private static Uni<Void> delete(SqlConnection conn, String tenant, UUID profile) {
        Tuple key = Tuple.of(tenant, profile);
        // the profile and every profile merged into it: the event log knows events by the profile
        // they were applied to at the time
        String family =
                "(select $2::uuid union all select merged_id from profile_merges where tenant = $1 and into_id = $2)";
        return conn.preparedQuery("delete from profile_event_log where tenant = $1 and profile_id in " + family)
                .execute(key)
                .chain(() -> conn.preparedQuery("delete from identity_refusals where tenant = $1 and (profile_id in "
                                + family + " or other_profile_id in " + family + ")")
                        .execute(key))
                .chain(() -> conn.preparedQuery("delete from profile_merge_history where tenant = $1 and (into_id in "
                                + family + " or merged_id in " + family + ")")
                        .execute(key))
                .chain(() -> conn.preparedQuery("delete from profile_identities where tenant = $1 and profile_id = $2")
                        .execute(key))
                .chain(() -> conn.preparedQuery("delete from profile_merges where tenant = $1 and into_id = $2")
                        .execute(key))
                .chain(() -> conn.preparedQuery("delete from profiles where tenant = $1 and id = $2")
                        .execute(key))
                .replaceWithVoid();
    }

    private Uni<Deletion> finish(
            SqlConnection conn,
            String tenant,
            UUID id,
            ProfileRefs.Ref ref,
            String reason,
            String by,
            Instant now,
            UUID profile,
            Set<IdentityKey> identifiers,
            long events) {
        String[] hashes = identifiers.stream().map(ProfileCommands::hash).toArray(String[]::new);
        String[] types = identifiers.stream().map(i -> i.type().name()).toArray(String[]::new);
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        String identityType =
                ref.identity() == null ? null : ref.identity().type().name();
        Deletion deletion = new Deletion(
                id,
                tenant,
                "completed",
                identityType,
                reason,
                by,
                now,
                now,
                profile == null ? 0 : 1,
                identifiers.size(),
                events);
        return conn.preparedQuery("""
                        insert into suppressions (tenant, hash, type, request_id, created_at)
                        select $1, h, t, $4, $5 from unnest($2::text[], $3::text[]) as s(h, t)
                        on conflict (tenant, hash) do nothing""")
                .execute(Tuple.of(tenant, hashes, types, id, at))
                .chain(() -> conn.preparedQuery("""
                                insert into deletion_requests (id, tenant, identity_type, identity_hash, profile_id, reason,
                                    requested_by, requested_at, status, completed_at, profiles, identifiers, events)
                                values ($1, $2, $3, $4, null, $5, $6, $7, 'completed', $7, $8, $9, $10)""").execute(Tuple.from(new Object[] {
                    id,
                    tenant,
                    identityType,
                    ref.identity() == null ? null : hash(ref.identity()),
                    reason,
                    by,
                    at,
                    deletion.profiles(),
                    deletion.identifiers(),
                    events
                })))
                .replaceWith(deletion);
    }

    public Uni<Deletion> deletion(String tenant, UUID id) {
        return pool.preparedQuery(DELETIONS + " where tenant = $1 and id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows ->
                        rows.iterator().hasNext() ? deletion(rows.iterator().next()) : null);
    }

    /** The tenant's requests, newest first, after the cursor (the last id of the previous page). */
    public Uni<List<Deletion>> deletions(String tenant, int limit, UUID after) {
        return pool.preparedQuery(DELETIONS + """
                         where tenant = $1 and ($2::uuid is null
                            or (requested_at, id) < (select requested_at, id from deletion_requests where id = $2))
                        order by requested_at desc, id desc limit $3""")
                .execute(Tuple.of(tenant, after, limit))
                .map(rows -> {
                    List<Deletion> out = new ArrayList<>();
                    rows.forEach(r -> out.add(deletion(r)));
                    return out;
                });
    }

    private static final String DELETIONS = """
            select id, tenant, status, identity_type, reason, requested_by, requested_at, completed_at, profiles,
                   identifiers, events from deletion_requests""";

    private static Deletion deletion(Row r) {
        OffsetDateTime completed = r.getOffsetDateTime(7);
        return new Deletion(
                r.getUUID(0),
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getString(5),
                r.getOffsetDateTime(6).toInstant(),
                completed == null ? null : completed.toInstant(),
                r.getInteger(8),
                r.getInteger(9),
                r.getLong(10));
    }

    /** The suppression hash of an identifier: SHA-256 of "TYPE:value" (the value normalised). */
    public static String hash(IdentityKey identity) {
        return HexFormat.of()
                .formatHex(SHA256.get()
                        .digest((identity.type().name() + ":" + identity.value()).getBytes(StandardCharsets.UTF_8)));
    }

    /** A digest per thread (every batch of events hashes each of its identifiers). */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });
}
