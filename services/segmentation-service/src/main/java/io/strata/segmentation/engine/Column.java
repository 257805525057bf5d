package io.strata.segmentation.engine;

import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.FieldType;
import java.time.Instant;
import org.roaringbitmap.RoaringBitmap;

/**
 * One field of every profile of a {@link ProfileTable}, kept both ways: by ordinal (the row-wise
 * path) and as bitmaps (the batch path). Values arrive as Java values (String, Number, Boolean,
 * {@link Instant}, {@link java.time.LocalDate}, a collection of strings); one of another type than
 * the field's is kept as {@link Mismatch#VALUE}, except that a text field takes any value's text.
 */
interface Column {

    FieldType type();

    /** Sets or, with null (or an empty collection), removes the ordinal's value. */
    void set(int ordinal, Object value);

    /** The ordinal's value as the {@link io.strata.segmentation.rules.Evaluator} reads it; null when none. */
    Object get(int ordinal);

    /** Ordinals holding a value, of the field's type or not. */
    RoaringBitmap present();

    /**
     * The ordinals of {@code within} that meet a comparison ({@code exists} and {@code missing} are
     * answered from {@link #present()} by the caller).
     */
    RoaringBitmap select(Condition.Compare compare, Instant now, RoaringBitmap within);

    /** Folds the changes since the last compaction into the column's indexes. */
    default void compact() {}

    /** Whether enough changed since the last compaction that queries would scan many rows. */
    default boolean needsCompaction() {
        return false;
    }

    /** Rough heap bytes held. */
    long sizeInBytes();

    static Column of(FieldType type, java.time.ZoneId zone) {
        return switch (type) {
            case STRING -> new Columns.Text();
            case NUMBER -> new Columns.Numbers();
            case BOOLEAN -> new Columns.Booleans();
            case DATE -> new Columns.Dates(zone);
            case STRINGS -> new Columns.TextSets();
        };
    }
}
