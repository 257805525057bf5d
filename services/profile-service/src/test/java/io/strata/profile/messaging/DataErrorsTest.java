package io.strata.profile.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;

import org.hibernate.exception.DataException;
import org.junit.jupiter.api.Test;

class DataErrorsTest {

    @Test
    void dataAndConstraintErrorsArePermanent() {
        assertTrue(DataErrors.isPermanent(new RuntimeException(
                new DataException("bad", new SQLException("unsupported Unicode escape sequence", "22P05")))));
        assertTrue(DataErrors.isPermanent(new SQLException("duplicate key", "23505")));
    }

    @Test
    void connectionAndOtherErrorsAreRetried() {
        assertFalse(DataErrors.isPermanent(new SQLException("connection refused", "08001")));
        assertFalse(DataErrors.isPermanent(new SQLException("deadlock", "40P01")));
        assertFalse(DataErrors.isPermanent(new IllegalStateException("no state")));
    }
}
