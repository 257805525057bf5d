package io.strata.profile.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.messaging.OutboxRelay;
import io.strata.profile.tags.Catalog;
import io.strata.profile.tags.InvalidTagException;
import io.strata.profile.tags.TagCatalogs;
import io.strata.profile.tags.TagDefinition;
import io.strata.proto.profile.v1.RefusedRow;
import io.strata.proto.profile.v1.TagAssignment;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The tag catalog's changes and tag values set in bulk. Definitions are checked whole (a rule
 * reads only tags before it, and stays valid when a tag it reads changes); a rule change starts a
 * recompute ({@link TagJobs}); values are set row by row, the rows that cannot be applied refused
 * with the reason, the rest applied in one transaction with their feed records.
 */
@ApplicationScoped
public class TagCommands {

    private final Pool pool;
    private final TagCatalogs catalogs;
    private final TagJobs jobs;
    private final ProfileRefs refs;
    private final ProfileRewriter rewriter;
    private final OutboxRelay relay;
    private final int maxRows;
    private final Clock clock = Clock.systemUTC();

    public TagCommands(
            Pool pool,
            TagCatalogs catalogs,
            TagJobs jobs,
            ProfileRefs refs,
            ProfileRewriter rewriter,
            OutboxRelay relay,
            ProfileConfig config) {
        this.pool = pool;
        this.catalogs = catalogs;
        this.jobs = jobs;
        this.refs = refs;
        this.rewriter = rewriter;
        this.relay = relay;
        this.maxRows = config.tags().maxRows();
    }

    public Uni<Catalog> catalog(String tenant) {
        return catalogs.get(tenant);
    }

    /** A tenant's own tag; a rule tag starts a recompute of the tenant. */
    public Uni<TagDefinition> create(String tenant, JsonNode json, String by) {
        Instant now = clock.instant();
        return pool.withTransaction(conn -> lockTenant(conn, tenant)
                        .chain(() -> catalogs.load(conn, tenant))
                        .chain(catalog -> {
                            TagDefinition definition =
                                    parse(json, Set.copyOf(catalog.definitions().keySet()));
                            if (catalog.get(definition.key()) != null) {
                                throw Errors.exists("tag " + definition.key() + " exists"
                                        + (catalog.get(definition.key()).standard() ? " in the standard catalog" : ""));
                            }
                            return conn.preparedQuery("""
                                    insert into tag_definitions (tenant, key, definition, created_by, created_at, updated_at)
                                    values ($1, $2, cast($3::text as jsonb), $4, $5, $5)""")
                                    .execute(Tuple.of(
                                            tenant,
                                            definition.key(),
                                            definition.json().toString(),
                                            by,
                                            now.atOffset(ZoneOffset.UTC)))
                                    .chain(() -> definition.kind() == TagDefinition.Kind.RULE
                                            ? jobs.create(conn, tenant, "tag " + definition.key() + " created", now)
                                                    .replaceWithVoid()
                                            : Uni.createFrom().voidItem())
                                    .replaceWith(definition);
                        }))
                .invoke(() -> catalogs.invalidate(tenant));
    }

    /** Replaces a tenant's own tag; its key and kind stay. Every tag after it must stay valid. */
    public Uni<TagDefinition> update(String tenant, JsonNode json) {
        Instant now = clock.instant();
        return pool.withTransaction(conn -> lockTenant(conn, tenant)
                        .chain(() -> catalogs.load(conn, tenant))
                        .chain(catalog -> {
                            String key = json.path("key").asText();
                            TagDefinition old = own(catalog, key);
                            Set<String> earlier = new LinkedHashSet<>();
                            TagDefinition updated = null;
                            for (TagDefinition d : catalog.definitions().values()) {
                                if (d.standard()) {
                                    earlier.add(d.key());
                                    continue;
                                }
                                if (d.key().equals(key)) {
                                    updated = parse(json, Set.copyOf(earlier));
                                    if (updated.kind() != old.kind()) {
                                        throw Errors.invalid(
                                                "definition.kind",
                                                "the kind of a tag does not change ("
                                                        + old.kind().name().toLowerCase() + ")");
                                    }
                                } else if (updated != null) {
                                    try {
                                        TagDefinition.parse(d.json(), Set.copyOf(earlier), false);
                                    } catch (InvalidTagException e) {
                                        throw Errors.precondition("tag " + d.key() + " reads " + key
                                                + " and would no longer be valid: " + e.getMessage());
                                    }
                                }
                                earlier.add(d.key());
                            }
                            TagDefinition result = updated;
                            boolean recompute =
                                    result.kind() == TagDefinition.Kind.RULE || old.valueType() != result.valueType();
                            return conn.preparedQuery(
                                            "update tag_definitions set definition = cast($3::text as jsonb), updated_at = $4 where tenant = $1 and key = $2")
                                    .execute(Tuple.of(
                                            tenant, key, result.json().toString(), now.atOffset(ZoneOffset.UTC)))
                                    .chain(() -> recompute
                                            ? jobs.create(conn, tenant, "tag " + key + " changed", now)
                                                    .replaceWithVoid()
                                            : Uni.createFrom().voidItem())
                                    .replaceWith(result);
                        }))
                .invoke(() -> catalogs.invalidate(tenant));
    }

    /** Deletes a tenant's own tag that no other tag reads; a recompute removes its values. */
    public Uni<TagJobs.Job> delete(String tenant, String key) {
        Instant now = clock.instant();
        return pool.withTransaction(conn -> lockTenant(conn, tenant)
                        .chain(() -> catalogs.load(conn, tenant))
                        .chain(catalog -> {
                            own(catalog, key);
                            for (TagDefinition d : catalog.definitions().values()) {
                                if (d.rule() != null && d.rule().tagsRead().contains(key)) {
                                    throw Errors.precondition(
                                            "tag " + d.key() + " reads " + key + ": change or delete it first");
                                }
                            }
                            return conn.preparedQuery("delete from tag_definitions where tenant = $1 and key = $2")
                                    .execute(Tuple.of(tenant, key))
                                    .chain(() -> jobs.create(conn, tenant, "tag " + key + " deleted", now));
                        }))
                .invoke(() -> catalogs.invalidate(tenant));
    }

    /** What a bulk set did. */
    public record SetResult(int applied, int changed, List<RefusedRow> refused) {}

    /**
     * Sets one tag's values in bulk.
     *
     * @param source "manual", "import", or "model:<client>" (a model tag's only writer)
     */
    public Uni<SetResult> set(String tenant, String key, List<TagAssignment> rows, String source) {
        if (rows.isEmpty()) {
            throw Errors.invalid("assignments", "assignments are required");
        }
        if (rows.size() > maxRows) {
            throw Errors.invalid("assignments", "at most " + maxRows + " assignments per call, not " + rows.size());
        }
        return catalogs.get(tenant).chain(catalog -> {
            TagDefinition definition = catalog.get(key);
            if (definition == null) {
                throw Errors.invalid("tag_key", "tag " + key + " is not in the tenant's catalog");
            }
            if (definition.kind() == TagDefinition.Kind.RULE) {
                throw Errors.invalid("tag_key", "tag " + key + " is a rule tag: its values are computed");
            }
            boolean model = source.startsWith("model:");
            if (definition.kind() == TagDefinition.Kind.MODEL && !model) {
                throw Errors.invalid("tag_key", "tag " + key + " is a model tag: only its model's service writes it");
            }
            if (definition.kind() == TagDefinition.Kind.MANUAL && model) {
                throw Errors.invalid("tag_key", "tag " + key + " is a manual tag: services write model tags only");
            }
            List<RefusedRow> refused = new ArrayList<>();
            List<Integer> rowIndex = new ArrayList<>();
            List<ProfileRefs.Ref> checked = new ArrayList<>();
            List<JsonNode> values = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                TagAssignment row = rows.get(i);
                ProfileRefs.Ref ref = ProfileRefs.check(i, row.getProfile(), "profile", refused);
                if (ref == null) {
                    continue;
                }
                JsonNode value = null;
                if (!row.getRemove()) {
                    try {
                        value = definition.value(row.getValue());
                    } catch (InvalidTagException e) {
                        refused.add(ProfileRefs.refusal(i, e.field(), e.getMessage()));
                        continue;
                    }
                }
                rowIndex.add(i);
                checked.add(ref);
                values.add(value);
            }
            return refs.resolve(tenant, checked).chain(profiles -> {
                Map<UUID, List<JsonNode>> byProfile = new LinkedHashMap<>();
                int applied = 0;
                for (int j = 0; j < checked.size(); j++) {
                    UUID profile = profiles.get(j);
                    if (profile == null) {
                        refused.add(ProfileRefs.refusal(rowIndex.get(j), "profile", "no profile of the tenant has it"));
                        continue;
                    }
                    applied++;
                    byProfile.computeIfAbsent(profile, p -> new ArrayList<>()).add(values.get(j));
                }
                refused.sort(java.util.Comparator.comparingInt(RefusedRow::getRow));
                int count = applied;
                if (byProfile.isEmpty()) {
                    return Uni.createFrom().item(new SetResult(0, 0, refused));
                }
                Instant now = clock.instant();
                long at = now.toEpochMilli();
                return pool.withTransaction(conn -> rewriter.rewrite(
                                conn,
                                tenant,
                                catalog,
                                byProfile.keySet(),
                                false,
                                (id, state) -> {
                                    for (JsonNode value : byProfile.get(id)) {
                                        if (value == null) {
                                            state.tags().remove(key);
                                        } else {
                                            state.tags().set(key, value, source, at);
                                        }
                                    }
                                },
                                now))
                        .invoke(relay::wake)
                        .map(outcome -> new SetResult(count, outcome.changed(), refused));
            });
        });
    }

    /** Per tag: profiles with a value; per value for boolean and enum tags. */
    public record Counts(long profiles, Map<String, Long> byTag, Map<String, Map<String, Long>> byValue) {}

    /** In one statement, so the total and the per-tag counts are of one snapshot. */
    public Uni<Counts> count(String tenant) {
        return catalogs.get(tenant)
                .chain(catalog -> pool.preparedQuery("""
                        select null, null, count(*) from profiles where tenant = $1
                        union all
                        select t.key,
                               case when jsonb_typeof(t.value) in ('boolean', 'string') then t.value #>> '{}' end,
                               count(*)
                        from profiles p
                        cross join lateral (
                            select key, value from jsonb_each(p.tags -> 'r')
                            union all
                            select key, value -> 'v' from jsonb_each(p.tags -> 'o')) t
                        where p.tenant = $1
                        group by 1, 2""")
                        .execute(Tuple.of(tenant))
                        .map(rows -> {
                            long total = 0;
                            Map<String, Long> byTag = new TreeMap<>();
                            Map<String, Map<String, Long>> byValue = new TreeMap<>();
                            for (Row row : rows) {
                                String key = row.getString(0);
                                if (key == null) {
                                    total = row.getLong(2);
                                } else if (catalog.get(key) != null) {
                                    byTag.merge(key, row.getLong(2), Long::sum);
                                    if (row.getString(1) != null) {
                                        byValue.computeIfAbsent(key, k -> new TreeMap<>())
                                                .put(row.getString(1), row.getLong(2));
                                    }
                                }
                            }
                            return new Counts(total, byTag, byValue);
                        }));
    }

    private static TagDefinition own(Catalog catalog, String key) {
        TagDefinition d = catalog.get(key);
        if (d == null) {
            throw Errors.notFound("tag " + key + " not found");
        }
        if (d.standard()) {
            throw Errors.precondition(
                    "tag " + key + " is part of the standard catalog and cannot be changed; define a tag of your own");
        }
        return d;
    }

    private static TagDefinition parse(JsonNode json, Set<String> earlier) {
        try {
            return TagDefinition.parse(json, earlier, false);
        } catch (InvalidTagException e) {
            throw Errors.invalid("definition." + protoName(e.field()), e.getMessage());
        }
    }

    /** A definition's field as the proto names it ({@code valueType} is {@code value_type}). */
    private static String protoName(String field) {
        int dot = field.indexOf('.');
        String head = dot < 0 ? field : field.substring(0, dot);
        String rest = dot < 0 ? "" : field.substring(dot);
        return head.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT) + rest;
    }

    /** Serialises catalog changes of one tenant (two creations cannot both take a key or read each other). */
    private static Uni<Void> lockTenant(SqlConnection conn, String tenant) {
        return conn.preparedQuery("select pg_advisory_xact_lock(hashtext('tags/' || $1))")
                .execute(Tuple.of(tenant))
                .replaceWithVoid();
    }
}
