package io.strata.profile.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.profile.repository.ConcurrentChangeException;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;

class DataErrorsTest {

    @Test
    void whatTheDataCausesIsPermanent() {
        assertEquals(
                DataErrors.PERMANENT,
                DataErrors.of(new RuntimeException(
                        new PgException("unsupported Unicode escape sequence", "ERROR", "22P05", null))));
        assertEquals(DataErrors.PERMANENT, DataErrors.of(pg("54000")), "index row too large");
        assertEquals(DataErrors.PERMANENT, DataErrors.of(pg("23502")), "not null");
        assertEquals(DataErrors.PERMANENT, DataErrors.of(pg("23514")), "check");
    }

    @Test
    void whatAConcurrentWriterCausesIsAppliedAgainAtOnce() {
        assertEquals(DataErrors.CONFLICT, DataErrors.of(pg("23505")), "an identifier claimed by another writer");
        assertEquals(DataErrors.CONFLICT, DataErrors.of(pg("23503")), "a profile merged away meanwhile");
        assertEquals(DataErrors.CONFLICT, DataErrors.of(pg("40P01")), "deadlock");
        assertEquals(DataErrors.CONFLICT, DataErrors.of(pg("40001")), "serialization failure");
        assertEquals(DataErrors.CONFLICT, DataErrors.of(new RuntimeException(new ConcurrentChangeException("moved"))));
    }

    @Test
    void everythingElseIsRetriedWithBackOff() {
        assertEquals(DataErrors.TRANSIENT, DataErrors.of(new PgException("refused", "FATAL", "08001", null)));
        assertEquals(DataErrors.TRANSIENT, DataErrors.of(pg("P0001")));
        assertEquals(DataErrors.TRANSIENT, DataErrors.of(new IllegalStateException("no state")));
    }

    private static PgException pg(String state) {
        return new PgException("failed", "ERROR", state, null);
    }
}
