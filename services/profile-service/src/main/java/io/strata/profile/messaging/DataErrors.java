package io.strata.profile.messaging;

import io.strata.profile.repository.ConcurrentChangeException;
import io.vertx.pgclient.PgException;

/** What a failure to apply a batch calls for. */
enum DataErrors {
    /** The data itself is refused, whatever the attempt: the event goes to the dead-letter topic. */
    PERMANENT,
    /** Another writer changed the graph under the batch: apply it again at once. */
    CONFLICT,
    /** Anything else (the database away, a timeout): retry with back-off, then stop the consumer. */
    TRANSIENT;

    static DataErrors of(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause()) {
            if (e instanceof ConcurrentChangeException) {
                return CONFLICT;
            }
            // events are applied on the reactive PostgreSQL client: its errors carry the SQLSTATE
            if (e instanceof PgException pg && pg.getSqlState() != null) {
                return ofSqlState(pg.getSqlState());
            }
        }
        return TRANSIENT;
    }

    /**
     * Class 22 (data exception, e.g. a value jsonb or text cannot hold), 54 (program limit
     * exceeded, e.g. an index row too large), 23502 (not null) and 23514 (check) are the data's
     * fault. A unique (23505) or foreign-key (23503) violation is a concurrent writer's doing here
     * (ids are claimed with ON CONFLICT, profiles referenced at the versions read), and so are
     * serialization failures (40001) and deadlocks (40P01).
     */
    static DataErrors ofSqlState(String state) {
        if (state.startsWith("22") || state.startsWith("54") || state.equals("23502") || state.equals("23514")) {
            return PERMANENT;
        }
        if (state.equals("23505") || state.equals("23503") || state.equals("40001") || state.equals("40P01")) {
            return CONFLICT;
        }
        return TRANSIENT;
    }

    static boolean isPermanent(Throwable failure) {
        return of(failure) == PERMANENT;
    }

    static boolean isConflict(Throwable failure) {
        return of(failure) == CONFLICT;
    }

    static boolean isTransient(Throwable failure) {
        return of(failure) == TRANSIENT;
    }
}
