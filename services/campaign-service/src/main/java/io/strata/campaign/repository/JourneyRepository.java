package io.strata.campaign.repository;

import static io.strata.campaign.repository.Db.instant;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Journeys, their drafts and published versions. */
public final class JourneyRepository {

    /** The definitions as their authors wrote them (json, not jsonb: key order and spacing kept). */
    private static final String JOURNEY =
            "tenant, key, name, status, draft::text as draft, live_version, created_at, updated_at, updated_by";

    private static final String VERSION =
            "tenant, key, version, definition::text as definition, published_at, published_by";
    private static final String VERSION_V =
            "v.tenant, v.key, v.version, v.definition::text as definition, v.published_at," + " v.published_by";

    private JourneyRepository() {}

    public record JourneyRow(
            String tenant,
            String key,
            String name,
            String status,
            String draft,
            Optional<Integer> liveVersion,
            Instant createdAt,
            Instant updatedAt,
            String updatedBy) {}

    public record VersionRow(
            String tenant, String key, int version, String definition, Instant publishedAt, String by) {}

    public static Optional<JourneyRow> get(Db.Session s, String tenant, String key, boolean lock) {
        for (Row row : s.query(
                "select " + JOURNEY + " from journeys where tenant = $1 and key = $2" + (lock ? " for update" : ""),
                Tuple.of(tenant, key))) {
            return Optional.of(journey(row));
        }
        return Optional.empty();
    }

    public static List<JourneyRow> list(Db.Session s, String tenant) {
        var out = new ArrayList<JourneyRow>();
        for (Row row :
                s.query("select " + JOURNEY + " from journeys where tenant = $1 order by key", Tuple.of(tenant))) {
            out.add(journey(row));
        }
        return out;
    }

    /** Saves the draft of a journey that is not archived; creates the journey when new. */
    public static void saveDraft(Db.Session s, String tenant, String key, String name, String draft, String by) {
        s.query(
                "insert into journeys (tenant, key, name, status, draft, updated_by) values ($1, $2, $3, 'draft', $4::text::json,"
                        + " $5)"
                        + " on conflict (tenant, key) do update set name = excluded.name, draft = excluded.draft,"
                        + " updated_at = now(), updated_by = excluded.updated_by",
                Tuple.of(tenant, key, name, draft, by));
    }

    /** Publishes the definition as the next version; returns it. */
    public static int publish(Db.Session s, String tenant, String key, String definition, String by) {
        int version = s.query(
                        "select coalesce(max(version), 0) + 1 from journey_versions where tenant = $1 and key = $2",
                        Tuple.of(tenant, key))
                .iterator()
                .next()
                .getInteger(0);
        s.query(
                "insert into journey_versions (tenant, key, version, definition, published_by) values ($1, $2, $3, $4::text::json,"
                        + " $5)",
                Tuple.of(tenant, key, version, definition, by));
        s.query(
                "update journeys set status = 'published', live_version = $3, updated_at = now(), updated_by = $4"
                        + " where tenant = $1 and key = $2",
                Tuple.of(tenant, key, version, by));
        return version;
    }

    public static void setStatus(Db.Session s, String tenant, String key, String status, String by) {
        s.query(
                "update journeys set status = $3, updated_at = now(), updated_by = $4 where tenant = $1 and key = $2",
                Tuple.of(tenant, key, status, by));
    }

    public static Optional<VersionRow> version(Db.Session s, String tenant, String key, int version) {
        for (Row row : s.query(
                "select " + VERSION + " from journey_versions where tenant = $1 and key = $2 and version = $3",
                Tuple.of(tenant, key, version))) {
            return Optional.of(version(row));
        }
        return Optional.empty();
    }

    /** Every published version of a journey, oldest first. */
    public static List<VersionRow> versions(Db.Session s, String tenant, String key) {
        var out = new ArrayList<VersionRow>();
        for (Row row : s.query(
                "select " + VERSION + " from journey_versions where tenant = $1 and key = $2 order by version",
                Tuple.of(tenant, key))) {
            out.add(version(row));
        }
        return out;
    }

    /** Every version of the tenant's journeys that are not archived: what instances may run on. */
    public static List<VersionRow> runnable(Db.Session s, String tenant) {
        var out = new ArrayList<VersionRow>();
        for (Row row : s.query(
                "select " + VERSION_V
                        + " from journey_versions v join journeys j using (tenant, key) where v.tenant = $1"
                        + " and j.status <> 'archived' order by v.key, v.version",
                Tuple.of(tenant))) {
            out.add(version(row));
        }
        return out;
    }

    /** The live versions of the tenant's published journeys: what new entries start on. */
    public static List<VersionRow> live(Db.Session s, String tenant) {
        var out = new ArrayList<VersionRow>();
        for (Row row : s.query(
                "select " + VERSION_V
                        + " from journey_versions v join journeys j on j.tenant = v.tenant and j.key = v.key"
                        + " and j.live_version = v.version where v.tenant = $1 and j.status = 'published' order by v.key",
                Tuple.of(tenant))) {
            out.add(version(row));
        }
        return out;
    }

    private static JourneyRow journey(Row row) {
        return new JourneyRow(
                row.getString("tenant"),
                row.getString("key"),
                row.getString("name"),
                row.getString("status"),
                row.getString("draft"),
                Optional.ofNullable(row.getInteger("live_version")),
                instant(row, "created_at"),
                instant(row, "updated_at"),
                row.getString("updated_by"));
    }

    private static VersionRow version(Row row) {
        return new VersionRow(
                row.getString("tenant"),
                row.getString("key"),
                row.getInteger("version"),
                row.getString("definition"),
                instant(row, "published_at"),
                row.getString("published_by"));
    }
}
