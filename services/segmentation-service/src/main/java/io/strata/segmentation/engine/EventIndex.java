package io.strata.segmentation.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * Posting bitmaps beside the {@link EventStore}'s logs, by week: per event name, and per event
 * name, text property and value, the profiles with at least one and with at least two such events
 * in each week (a <em>cell</em>). An event count in a window then needs no log read for most
 * profiles: the weeks wholly inside the window give a lower bound of each profile's count, the
 * weeks that touch it an upper bound, and only the profiles between the two are read.
 *
 * <p>A property is indexed while every value it had was text and it had at most {@link
 * #VALUES_PER_KEY} of them per event name (a category, a channel, a brand); one that holds numbers,
 * booleans or many values (an order id) is dropped from the index and its filters are answered by
 * reading the logs, as are those of the properties beyond the first {@link #MOST_KEYS}. Whatever the index holds is exact: a cell holds a profile exactly while the
 * profile has that many such events kept in that week.
 */
final class EventIndex {

    /** A week in milliseconds; cells are aligned to the epoch. */
    static final long BUCKET_MS = 7L * 86_400_000L;

    /** The most distinct values of a property (per event name) that are indexed. */
    static final int VALUES_PER_KEY = 64;

    /**
     * The most properties (pairs of event name and key) indexed in one store: the ones seen first;
     * the filters of the others read the logs. Bounds the index of a tenant with very many event
     * types and properties.
     */
    static final int MOST_KEYS = 512;

    /** Properties indexed now (not dropped). */
    private int indexedKeys;

    /** Per event name code: its cells. */
    private final List<Cells> names = new ArrayList<>();

    /** Per event name and property key ({@code name << 32 | key}): the key's cells by value. */
    private final Map<Long, Values> keys = new HashMap<>();

    /** The cells of one scope (an event name, or a name with a property value), by week. */
    static final class Cells {
        /** Week → {profiles with ≥ 1, profiles with ≥ 2}. */
        private final TreeMap<Long, RoaringBitmap[]> weeks = new TreeMap<>();

        private void add(long week, int ordinal) {
            RoaringBitmap[] cell =
                    weeks.computeIfAbsent(week, w -> new RoaringBitmap[] {new RoaringBitmap(), new RoaringBitmap()});
            if (!cell[0].checkedAdd(ordinal)) {
                cell[1].add(ordinal);
            }
        }

        private void remove(long week, int ordinal) {
            RoaringBitmap[] cell = weeks.get(week);
            if (cell != null) {
                cell[0].remove(ordinal);
                cell[1].remove(ordinal);
                if (cell[0].isEmpty()) {
                    weeks.remove(week);
                }
            }
        }

        /** The weeks touching [from, to] (epoch milliseconds, both included). */
        NavigableMap<Long, RoaringBitmap[]> touching(long from, long to) {
            if (from > to) {
                return new TreeMap<>();
            }
            return weeks.subMap(week(from), true, week(to), true);
        }

        private long sizeInBytes() {
            long bytes = 64L * weeks.size();
            for (RoaringBitmap[] cell : weeks.values()) {
                bytes += cell[0].getLongSizeInBytes() + cell[1].getLongSizeInBytes();
            }
            return bytes;
        }
    }

    /** The cells of one property of one event name, by text value code; none once it is dropped. */
    private static final class Values {
        private Map<Integer, Cells> byValue = new HashMap<>();
    }

    static long week(long epochMilli) {
        return Math.floorDiv(epochMilli, BUCKET_MS);
    }

    static long firstMilli(long week) {
        return week * BUCKET_MS;
    }

    static long lastMilli(long week) {
        return week * BUCKET_MS + BUCKET_MS - 1;
    }

    /** An event of that name at that instant kept for the profile. */
    void event(int ordinal, int name, long at) {
        while (names.size() <= name) {
            names.add(new Cells());
        }
        names.get(name).add(week(at), ordinal);
    }

    /**
     * A property of an event kept for the profile (after {@link #event}).
     *
     * @param text the value's text code, or -1 when the value is not text (the key is then dropped)
     */
    void property(int ordinal, int name, long at, int key, int text) {
        Values values = keys.computeIfAbsent(((long) name << 32) | key, k -> {
            Values fresh = new Values();
            if (indexedKeys >= MOST_KEYS) {
                fresh.byValue = null;
            } else {
                indexedKeys++;
            }
            return fresh;
        });
        if (values.byValue == null) {
            return;
        }
        if (text < 0 || (values.byValue.size() >= VALUES_PER_KEY && !values.byValue.containsKey(text))) {
            values.byValue = null;
            indexedKeys--;
            return;
        }
        values.byValue.computeIfAbsent(text, t -> new Cells()).add(week(at), ordinal);
    }

    /** The event of {@link #event} is no longer kept (every event of the profile is being removed). */
    void unevent(int ordinal, int name, long at) {
        if (name < names.size()) {
            names.get(name).remove(week(at), ordinal);
        }
    }

    /** The property of {@link #property} is no longer kept. */
    void unproperty(int ordinal, int name, long at, int key, int text) {
        Values values = keys.get(((long) name << 32) | key);
        if (values == null || values.byValue == null || text < 0) {
            return;
        }
        Cells cells = values.byValue.get(text);
        if (cells != null) {
            cells.remove(week(at), ordinal);
        }
    }

    /** The cells of an event name (null: no such event kept). */
    Cells name(int name) {
        return name < names.size() ? names.get(name) : null;
    }

    /**
     * The cells of each of the values of a property of an event name: null when the property is
     * not indexed (then the logs must be read); the values no kept event has are left out, so the
     * list is empty when none has any of them.
     */
    List<Cells> values(int name, int key, int[] texts) {
        if (key < 0) {
            return List.of(); // no event ever had the property: it holds none of the values
        }
        Values values = keys.get(((long) name << 32) | key);
        if (values == null) {
            return List.of();
        }
        if (values.byValue == null) {
            return null;
        }
        List<Cells> out = new ArrayList<>();
        for (int text : texts) {
            Cells cells = values.byValue.get(text);
            if (cells != null) {
                out.add(cells);
            }
        }
        return out;
    }

    long sizeInBytes() {
        long bytes = 0;
        for (Cells cells : names) {
            bytes += cells.sizeInBytes();
        }
        for (Values values : keys.values()) {
            if (values.byValue != null) {
                for (Cells cells : values.byValue.values()) {
                    bytes += 32 + cells.sizeInBytes();
                }
            }
        }
        return bytes;
    }
}
