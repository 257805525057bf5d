package io.strata.platform.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogSafeTest {

    @Test
    void aValueCannotStartALineOfItsOwn() {
        String forged = "m-1\n2026-12-02 04:00:00,000 INFO  [io.strata] admin logged in\r\u2028x\u0000";
        String safe = LogSafe.text(forged);
        assertFalse(safe.contains("\n") || safe.contains("\r") || safe.contains("\u2028") || safe.contains("\u0000"));
        assertEquals("m-1\\n2026-12-02 04:00:00,000 INFO  [io.strata] admin logged in\\r\\u2028x\\u0000", safe);
    }

    @Test
    void plainValuesPassAndLongOnesAreCut() {
        assertEquals("Order Completed 订单", LogSafe.text("Order Completed 订单"));
        assertEquals("null", LogSafe.text(null));
        String cut = LogSafe.text("x".repeat(10_000));
        assertTrue(cut.startsWith("x".repeat(LogSafe.MAX_LENGTH) + "…"));
        assertTrue(cut.endsWith("(10000 chars)"));
    }
}
