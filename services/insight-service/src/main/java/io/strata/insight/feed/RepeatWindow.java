package io.strata.insight.feed;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.util.LinkedHashSet;

/**
 * The records a partition delivered lately, to tell a record delivered again from a new one. The
 * profile feed is at least once: after a crash, profile-service's outbox relay sends again what it
 * had sent but not yet marked, the same bytes under new offsets, soon after the first copy. Kept:
 * a 64-bit hash of the partition and the record's bytes, for the last {@code size} records (FIFO),
 * so about 80 bytes per record. Two different records sharing a hash (about one in 10^14 per record
 * against a window of 200,000) would make the later one pass for a repeat.
 */
final class RepeatWindow {

    private static final HashFunction HASH = Hashing.murmur3_128();

    private final int size;
    private final LinkedHashSet<Long> seen = new LinkedHashSet<>();

    RepeatWindow(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("a repeat window of " + size + " records");
        }
        this.size = size;
    }

    /** Whether the partition delivered these bytes within the window; remembers them otherwise. */
    boolean repeated(int partition, byte[] value) {
        if (size == 0) {
            return false;
        }
        long key = HASH.newHasher().putInt(partition).putBytes(value).hash().asLong();
        if (!seen.add(key)) {
            return true;
        }
        if (seen.size() > size) {
            seen.removeFirst();
        }
        return false;
    }

    /**
     * Forgets every record: a partition read again from the store's offset after a rebalance must
     * not take the records it staged before (and may have lost with a failed flush) for repeats.
     */
    void clear() {
        seen.clear();
    }

    int remembered() {
        return seen.size();
    }
}
