package io.strata.ingestion.repository;

import io.smallrye.mutiny.Uni;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.domain.SourceRecord;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Sources and their write keys, on the reactive client: the per-request key lookup and the
 * administration alike. Every query but the key lookup (which finds the tenant) names the tenant.
 */
@ApplicationScoped
public class SourceRepository {

    private static final String COLUMNS = "id, tenant, name, created_at, revoked_at, rate_limit_per_second";

    private final Pool pool;

    public SourceRepository(Pool pool) {
        this.pool = pool;
    }

    /** The active source with that key hash, or a null item. */
    public Uni<Source> findActive(String keyHash) {
        return pool.preparedQuery("""
                select id, tenant, name, rate_limit_per_second from sources
                where write_key_hash = $1 and revoked_at is null""").execute(Tuple.of(keyHash)).map(rows -> {
            RowIterator<Row> it = rows.iterator();
            if (!it.hasNext()) {
                return null;
            }
            Row row = it.next();
            return new Source(row.getUUID(0), row.getString(1), row.getString(2), row.getInteger(3));
        });
    }

    public Uni<SourceRecord> find(String tenant, UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from sources where tenant = $1 and id = $2")
                .execute(Tuple.of(tenant, id))
                .map(SourceRepository::first);
    }

    public Uni<SourceRecord> findByName(String tenant, String name) {
        return pool.preparedQuery("select " + COLUMNS + " from sources where tenant = $1 and name = $2")
                .execute(Tuple.of(tenant, name))
                .map(SourceRepository::first);
    }

    /** Inserts the source; a null item when the tenant already has a source of that name. */
    public Uni<SourceRecord> insert(SourceRecord source, String keyHash) {
        return pool.preparedQuery("""
                insert into sources (id, tenant, name, write_key_hash, created_at, rate_limit_per_second)
                values ($1, $2, $3, $4, $5, $6)
                on conflict (tenant, name) do nothing
                returning \s""" + COLUMNS)
                .execute(Tuple.of(
                        source.id(),
                        source.tenant(),
                        source.name(),
                        keyHash,
                        utc(source.createdAt()),
                        source.rateLimitPerSecond()))
                .map(SourceRepository::first);
    }

    /** The tenant's sources by name after {@code afterName}, at most {@code limit}. */
    public Uni<List<SourceRecord>> list(String tenant, String afterName, int limit) {
        return pool.preparedQuery(
                        "select " + COLUMNS + " from sources where tenant = $1 and name > $2 order by name limit $3")
                .execute(Tuple.of(tenant, afterName, limit))
                .map(rows -> {
                    List<SourceRecord> page = new ArrayList<>();
                    for (Row row : rows) {
                        page.add(record(row));
                    }
                    return page;
                });
    }

    /** A new key for an active source; a null item when it is gone or revoked. */
    public Uni<SourceRecord> rekey(String tenant, UUID id, String keyHash) {
        return pool.preparedQuery("""
                update sources set write_key_hash = $3
                where tenant = $1 and id = $2 and revoked_at is null
                returning \s""" + COLUMNS)
                .execute(Tuple.of(tenant, id, keyHash))
                .map(SourceRepository::first);
    }

    /** Revokes the source (once: a revoked source keeps its first revocation time); null when absent. */
    public Uni<SourceRecord> revoke(String tenant, UUID id, Instant at) {
        return pool.preparedQuery("""
                update sources set revoked_at = coalesce(revoked_at, $3)
                where tenant = $1 and id = $2
                returning \s""" + COLUMNS)
                .execute(Tuple.of(tenant, id, utc(at)))
                .map(SourceRepository::first);
    }

    private static SourceRecord first(RowSet<Row> rows) {
        RowIterator<Row> it = rows.iterator();
        return it.hasNext() ? record(it.next()) : null;
    }

    private static SourceRecord record(Row row) {
        return new SourceRecord(
                row.getUUID("id"),
                row.getString("tenant"),
                row.getString("name"),
                instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("revoked_at")),
                row.getInteger("rate_limit_per_second"));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
