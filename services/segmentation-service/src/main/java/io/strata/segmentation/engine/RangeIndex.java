package io.strata.segmentation.engine;

import java.util.Arrays;
import org.roaringbitmap.RangeBitmap;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.RoaringBitmapWriter;

/**
 * A range-encoded bit-sliced index of one long per ordinal, compared unsigned: Roaring's {@link
 * RangeBitmap}, which is immutable, built over all ordinals, plus the ordinals changed since it was
 * built, which are compared one by one until the next rebuild. The table's writer rebuilds when
 * those exceed {@link #rebuildAfter()} (a sixty-fourth of the rows, at least 4,096: {@link
 * ProfileTable#maintain()}), so a query scans few rows beside the bitmap algebra, and queries never
 * write (they may run beside each other under a read lock).
 */
final class RangeIndex {

    private long[] keys = new long[1024];
    /** Ordinals that hold a key now. */
    private final RoaringBitmap has = new RoaringBitmap();
    /** Ordinals whose key changed (set, replaced or cleared) since the base was built. */
    private RoaringBitmap dirty = new RoaringBitmap();

    private RangeBitmap base;
    /** The distinct keys held when the base was built, in unsigned order. */
    private long[] distinct = new long[0];
    /** Ordinals that held a key when the base was built. */
    private RoaringBitmap baseHas = new RoaringBitmap();

    private int rows;
    private long baseBytes;

    void set(int ordinal, long key) {
        if (ordinal >= keys.length) {
            keys = Arrays.copyOf(keys, Math.max(ordinal + 1, keys.length * 2));
        }
        keys[ordinal] = key;
        has.add(ordinal);
        dirty.add(ordinal);
        rows = Math.max(rows, ordinal + 1);
    }

    void clear(int ordinal) {
        if (has.contains(ordinal)) {
            has.remove(ordinal);
            dirty.add(ordinal);
        }
    }

    boolean has(int ordinal) {
        return has.contains(ordinal);
    }

    long key(int ordinal) {
        return keys[ordinal];
    }

    /** The ordinals that hold a key. */
    RoaringBitmap present() {
        return has;
    }

    int rebuildAfter() {
        return Math.max(4096, rows / 64);
    }

    /** The ordinals of {@code within} whose key lies in [lo, hi], compared unsigned. */
    RoaringBitmap between(long lo, long hi, RoaringBitmap within) {
        if (Long.compareUnsigned(lo, hi) > 0) {
            return new RoaringBitmap();
        }
        if (64L * within.getLongCardinality() < rows) {
            // few rows in question: comparing their keys costs less than the bit slices over all
            RoaringBitmapWriter<RoaringBitmap> out =
                    RoaringBitmapWriter.writer().get();
            RoaringBitmap.and(within, has).forEach((int ordinal) -> {
                long key = keys[ordinal];
                if (Long.compareUnsigned(key, lo) >= 0 && Long.compareUnsigned(key, hi) <= 0) {
                    out.add(ordinal);
                }
            });
            return out.get();
        }
        RoaringBitmap clean = RoaringBitmap.andNot(RoaringBitmap.and(within, baseHas), dirty);
        RoaringBitmap out;
        if (base == null || clean.isEmpty()) {
            out = new RoaringBitmap();
        } else {
            // the base holds ranks of the distinct keys: [lo, hi] as the ranks of the keys within it
            int first = rank(lo);
            int last = rank(hi);
            if (last < distinct.length && Long.compareUnsigned(distinct[last], hi) == 0) {
                last++;
            }
            out = first >= last ? new RoaringBitmap() : base.between(first, last - 1, clean);
        }
        RoaringBitmap changed = RoaringBitmap.and(RoaringBitmap.and(within, dirty), has);
        changed.forEach((int ordinal) -> {
            long key = keys[ordinal];
            if (Long.compareUnsigned(key, lo) >= 0 && Long.compareUnsigned(key, hi) <= 0) {
                out.add(ordinal);
            }
        });
        return out;
    }

    boolean needsRebuild() {
        return dirty.getCardinality() > rebuildAfter();
    }

    /**
     * Builds the bitmap index over every ordinal anew; the changed ordinals are then none. The base
     * holds each key's rank among the distinct keys, so it has as many bit slices as the distinct
     * keys need (a spend in whole yuan: a dozen) rather than the keys' 64 bits.
     */
    void rebuild() {
        long[] present = new long[has.getCardinality()];
        int n = 0;
        for (int i = 0; i < rows; i++) {
            if (has.contains(i)) {
                present[n++] = keys[i] ^ Long.MIN_VALUE; // unsigned order as signed
            }
        }
        Arrays.sort(present);
        int unique = 0;
        for (int i = 0; i < n; i++) {
            if (unique == 0 || present[i] != present[unique - 1]) {
                present[unique++] = present[i];
            }
        }
        distinct = new long[unique];
        for (int i = 0; i < unique; i++) {
            distinct[i] = present[i] ^ Long.MIN_VALUE;
        }
        RangeBitmap.Appender appender = RangeBitmap.appender(Math.max(1, unique - 1));
        for (int i = 0; i < rows; i++) {
            appender.add(has.contains(i) ? rank(keys[i]) : 0);
        }
        baseBytes = appender.serializedSizeInBytes() + 8L * distinct.length;
        base = appender.build();
        baseHas = has.clone();
        dirty = new RoaringBitmap();
    }

    /** The number of distinct keys of the base below {@code key} (unsigned). */
    private int rank(long key) {
        int low = 0;
        int high = distinct.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (Long.compareUnsigned(distinct[mid], key) < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** Rough heap bytes of the index (keys, base and bitmaps). */
    long sizeInBytes() {
        return 8L * keys.length
                + has.getLongSizeInBytes()
                + dirty.getLongSizeInBytes()
                + baseHas.getLongSizeInBytes()
                + baseBytes;
    }
}
