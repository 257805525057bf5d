package io.strata.segmentation.engine;

import java.util.Arrays;
import org.roaringbitmap.RangeBitmap;
import org.roaringbitmap.RoaringBitmap;

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
        RoaringBitmap clean = RoaringBitmap.andNot(RoaringBitmap.and(within, baseHas), dirty);
        RoaringBitmap out = base == null || clean.isEmpty() ? new RoaringBitmap() : base.between(lo, hi, clean);
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

    /** Builds the bitmap index over every ordinal anew; the changed ordinals are then none. */
    void rebuild() {
        long max = 0;
        for (int i = 0; i < rows; i++) {
            if (has.contains(i) && Long.compareUnsigned(keys[i], max) > 0) {
                max = keys[i];
            }
        }
        RangeBitmap.Appender appender = RangeBitmap.appender(max);
        for (int i = 0; i < rows; i++) {
            appender.add(has.contains(i) ? keys[i] : 0);
        }
        baseBytes = appender.serializedSizeInBytes();
        base = appender.build();
        baseHas = has.clone();
        dirty = new RoaringBitmap();
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
