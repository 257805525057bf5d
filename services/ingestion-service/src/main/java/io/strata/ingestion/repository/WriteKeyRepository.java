package io.strata.ingestion.repository;

import io.smallrye.mutiny.Uni;
import io.strata.ingestion.domain.Source;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** The per-request write key lookup, on the reactive client: no ORM session on the hot path. */
@ApplicationScoped
public class WriteKeyRepository {

    private final Pool pool;

    public WriteKeyRepository(Pool pool) {
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
}
