package io.strata.profile.messaging;

import io.vertx.pgclient.PgException;

/** Database errors that no retry can cure: the data itself is refused. */
final class DataErrors {

    private DataErrors() {}

    /**
     * SQLSTATE classes 22 (data exception, e.g. a value jsonb or text cannot hold), 23 (integrity
     * constraint violation) and 54 (program limit exceeded, e.g. an index row too large).
     */
    static boolean isPermanent(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause()) {
            // events are applied on the reactive PostgreSQL client: its errors carry the SQLSTATE
            if (e instanceof PgException pg && pg.getSqlState() != null) {
                String state = pg.getSqlState();
                return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
            }
        }
        return false;
    }
}
