package io.strata.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void keysKeepWhatMustStayInOrderTogether() {
        assertEquals("src-1/m-1", Keys.incoming("src-1", "m-1"));
        assertEquals("demo/u-1", Keys.event("demo", "u-1"));
        assertEquals("demo/9f0c", Keys.profile("demo", "9f0c"));
        assertEquals("demo", Keys.head("demo/u/1"));
        assertEquals("solo", Keys.head("solo"));
    }

    @Test
    void aKeysPartitionIsTheOneTheProducerChooses() {
        for (int i = 0; i < 2000; i++) {
            String key = Keys.profile(
                    "tenant-" + (i % 7),
                    java.util
                            .UUID
                            .nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >> 8)})
                            .toString());
            for (int partitions : new int[] {1, 2, 6, 12}) {
                assertEquals(
                        org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                                key.getBytes(StandardCharsets.UTF_8), partitions),
                        Keys.partition(key, partitions),
                        key);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Keys.partition("a/b", 0));
    }

    @Test
    void aDeadLetterKeepsTheOriginalHeadersAndSaysWhy() {
        RecordHeaders original = new RecordHeaders();
        original.add("trace", "abc".getBytes(StandardCharsets.UTF_8));
        var headers = DeadLetters.headers(original, "profile-service", "x".repeat(5000), "t-1@2");
        assertEquals("abc", DeadLetters.header(headers, "trace"));
        assertEquals("profile-service", DeadLetters.header(headers, DeadLetters.SERVICE));
        assertEquals("t-1@2", DeadLetters.header(headers, DeadLetters.ORIGIN));
        assertEquals(
                DeadLetters.MAX_REASON,
                DeadLetters.header(headers, DeadLetters.REASON).length());
        assertEquals("strata.events.v1-3@42", DeadLetters.origin("strata.events.v1", 3, 42));
    }
}
