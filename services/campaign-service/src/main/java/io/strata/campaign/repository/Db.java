package io.strata.campaign.repository;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;

/**
 * Blocking transactions over the reactive client, for the workers that run on threads of their own
 * (the timer worker, the dispatcher, the feed consumers), as the platform's outbox relay does.
 */
public final class Db {

    private final Pool pool;
    private final Duration timeout;

    public Db(Pool pool, Duration timeout) {
        this.pool = pool;
        this.timeout = timeout;
    }

    public Pool pool() {
        return pool;
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    public <T> T inTransaction(Function<Session, T> work) {
        SqlConnection conn = pool.getConnection().await().atMost(timeout);
        try {
            var tx = conn.begin().await().atMost(timeout);
            try {
                T result = work.apply(new Session(conn, timeout));
                tx.commit().await().atMost(timeout);
                return result;
            } catch (RuntimeException e) {
                try {
                    tx.rollback().await().atMost(timeout);
                } catch (RuntimeException ignored) {
                    // the connection is closed below; the transaction ends with it
                }
                throw e;
            }
        } finally {
            conn.close().await().atMost(timeout);
        }
    }

    /** One statement outside a transaction. */
    public RowSet<Row> query(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).await().atMost(timeout);
    }

    /** A connection within a transaction. */
    public record Session(SqlConnection conn, Duration timeout) {
        public RowSet<Row> query(String sql, Tuple args) {
            return conn.preparedQuery(sql).execute(args).await().atMost(timeout);
        }

        public void batch(String sql, List<Tuple> rows) {
            if (!rows.isEmpty()) {
                conn.preparedQuery(sql).executeBatch(rows).await().atMost(timeout);
            }
        }
    }

    public static OffsetDateTime ts(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    public static Instant instant(Row row, String column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
