package io.strata.insight.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RepeatWindowTest {

    @Test
    void theSameBytesOnTheSamePartitionWithinTheWindowAreARepeat() {
        RepeatWindow window = new RepeatWindow(3);
        assertFalse(window.repeated(0, bytes("a")));
        assertTrue(window.repeated(0, bytes("a")), "delivered again");
        assertFalse(window.repeated(1, bytes("a")), "another partition's record (a merge's copy)");
        assertFalse(window.repeated(0, bytes("b")));
        assertFalse(window.repeated(0, bytes("c")));
        assertEquals(3, window.remembered());
        assertFalse(window.repeated(0, bytes("d")), "the window is full: the oldest ('a') goes");
        assertFalse(window.repeated(0, bytes("a")), "beyond the window");
        assertTrue(window.repeated(0, bytes("d")));

        window.clear();
        assertFalse(window.repeated(0, bytes("d")), "forgotten on a rebalance");
    }

    @Test
    void aWindowOfNoneLetsEveryRecordThroughAndANegativeOneIsRefused() {
        RepeatWindow off = new RepeatWindow(0);
        assertFalse(off.repeated(0, bytes("a")));
        assertFalse(off.repeated(0, bytes("a")));
        assertThrows(IllegalArgumentException.class, () -> new RepeatWindow(-1));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
