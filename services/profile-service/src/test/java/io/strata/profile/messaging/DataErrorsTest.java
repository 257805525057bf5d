package io.strata.profile.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;

class DataErrorsTest {

    @Test
    void dataAndConstraintErrorsArePermanent() {
        assertTrue(DataErrors.isPermanent(
                new RuntimeException(new PgException("unsupported Unicode escape sequence", "ERROR", "22P05", null))));
        assertTrue(DataErrors.isPermanent(new PgException("duplicate key", "ERROR", "23505", null)));
    }

    @Test
    void connectionAndOtherErrorsAreRetried() {
        assertFalse(DataErrors.isPermanent(new PgException("connection refused", "FATAL", "08001", null)));
        assertFalse(DataErrors.isPermanent(new PgException("deadlock", "ERROR", "40P01", null)));
        assertFalse(DataErrors.isPermanent(new IllegalStateException("no state")));
    }
}
