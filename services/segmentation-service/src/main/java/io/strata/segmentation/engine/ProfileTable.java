package io.strata.segmentation.engine;

import io.strata.segmentation.rules.FieldCatalog;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.rules.ProfileFacts;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * The profiles of one tenant on one partition of the feed, as the engine keeps them: a dense
 * ordinal per profile, a {@link Column} per field and the {@link EventStore}. Ordinals are handed
 * out in arrival order and not reused: a forgotten profile's ordinal stays empty. One thread
 * writes a table; readers on other threads go through the lock of whoever owns it.
 */
public final class ProfileTable {

    private static final Double ZERO = 0.0;

    private final ZoneId zone;
    private final ProfileIds ids = new ProfileIds();
    private int next;
    private final RoaringBitmap live = new RoaringBitmap();
    private final Map<String, Column> columns = new HashMap<>();
    private final EventStore events = new EventStore();

    /** @param zone the tenant's zone: calendar days and anniversaries are counted in it */
    public ProfileTable(ZoneId zone) {
        this.zone = zone;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The profile's ordinal, given one if it has none. */
    public int ordinal(String profileId) {
        int ordinal = ids.find(profileId);
        if (ordinal >= 0) {
            return ordinal;
        }
        int assigned = next++;
        ids.put(profileId, assigned);
        live.add(assigned);
        return assigned;
    }

    public OptionalInt find(String profileId) {
        int ordinal = ids.find(profileId);
        return ordinal < 0 ? OptionalInt.empty() : OptionalInt.of(ordinal);
    }

    /** The profile id of a live ordinal; null for one never given or forgotten. */
    public String profileId(int ordinal) {
        return ordinal >= 0 && ordinal < next && live.contains(ordinal) ? ids.id(ordinal) : null;
    }

    /** Every live profile's ordinal. Not to be changed by the caller. */
    public RoaringBitmap live() {
        return live;
    }

    public int size() {
        return live.getCardinality();
    }

    /**
     * Sets a field of a profile; null or an empty collection removes it. The field's type is fixed
     * by its first value set.
     */
    public void set(int ordinal, String field, FieldType type, Object value) {
        Column column = columns.computeIfAbsent(field, f -> Column.of(type, zone));
        if (column.type() != type) {
            throw new IllegalArgumentException(
                    "field " + field + " is " + column.type().label() + ", not " + type.label());
        }
        column.set(ordinal, value);
    }

    /** Keeps an event of the profile; false when it has that event already. */
    public boolean addEvent(int ordinal, long identity, String name, Instant at, Map<String, Object> properties) {
        return events.add(ordinal, identity, name, at, properties);
    }

    /** Removes every field of a profile (its events and ordinal stay): before a snapshot replaces them. */
    public void clearFields(int ordinal) {
        for (Column column : columns.values()) {
            column.set(ordinal, null);
        }
    }

    /** Forgets the profile: every field, every event, its ordinal. */
    public void forget(int ordinal) {
        String id = profileId(ordinal);
        if (id == null) {
            return;
        }
        for (Column column : columns.values()) {
            column.set(ordinal, null);
        }
        events.clear(ordinal);
        live.remove(ordinal);
        ids.remove(id, ordinal);
    }

    /**
     * Folds the changes since the last compaction into the range indexes (which otherwise compare
     * changed profiles one by one).
     */
    public void compact() {
        columns.values().forEach(Column::compact);
    }

    /** Compacts the range indexes where many profiles changed since; the writer calls it between writes. */
    public void maintain() {
        for (Column column : columns.values()) {
            if (column.needsCompaction()) {
                column.compact();
            }
        }
    }

    /** The field's column, or null when no profile ever had it. */
    Column column(String field) {
        return columns.get(field);
    }

    public EventStore events() {
        return events;
    }

    /** One profile as the row-wise evaluator reads it. */
    public ProfileFacts facts(int ordinal) {
        return new ProfileFacts() {
            @Override
            public Object value(String field) {
                Column column = columns.get(field);
                Object value = column == null ? null : column.get(ordinal);
                return value == null && FieldCatalog.countsZeroWhenAbsent(field) ? ZERO : value;
            }

            @Override
            public List<EventFact> events(String name) {
                return events.events(ordinal, name);
            }
        };
    }

    /**
     * Writes the table for {@link #readFrom}: its ordinals and ids, every field's values (not the
     * indexes: reading builds them again) and the events as kept.
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(next);
        SnapshotCodec.writeBitmap(out, live);
        PeekableIntIterator ordinals = live.getIntIterator();
        while (ordinals.hasNext()) {
            String id = ids.id(ordinals.next());
            long[] uuid = ProfileIds.parse(id);
            if (uuid != null) {
                out.writeBoolean(true);
                out.writeLong(uuid[0]);
                out.writeLong(uuid[1]);
            } else {
                out.writeBoolean(false);
                SnapshotCodec.writeString(out, id);
            }
        }
        out.writeInt(columns.size());
        for (Map.Entry<String, Column> entry : columns.entrySet()) {
            Column column = entry.getValue();
            SnapshotCodec.writeString(out, entry.getKey());
            SnapshotCodec.writeString(out, column.type().name());
            RoaringBitmap present = column.present();
            SnapshotCodec.writeBitmap(out, present);
            SnapshotCodec.ValueWriter values = new SnapshotCodec.ValueWriter(out);
            PeekableIntIterator held = present.getIntIterator();
            while (held.hasNext()) {
                values.write(column.get(held.next()));
            }
        }
        events.writeTo(out);
    }

    /**
     * A table as {@link #writeTo} wrote it, its indexes built anew in the zone given.
     *
     * @throws IOException when the bytes are not such a table
     */
    public static ProfileTable readFrom(DataInput in, ZoneId zone) throws IOException {
        ProfileTable table = new ProfileTable(zone);
        table.next = in.readInt();
        RoaringBitmap live = SnapshotCodec.readBitmap(in);
        if (table.next < 0 || (!live.isEmpty() && Integer.toUnsignedLong(live.last()) >= table.next)) {
            throw new IOException("ordinals beyond the next one, " + table.next);
        }
        PeekableIntIterator ordinals = live.getIntIterator();
        while (ordinals.hasNext()) {
            int ordinal = ordinals.next();
            String id = in.readBoolean()
                    ? new java.util.UUID(in.readLong(), in.readLong()).toString()
                    : SnapshotCodec.readString(in);
            if (table.ids.find(id) >= 0) {
                throw new IOException("profile " + id + " twice");
            }
            table.ids.put(id, ordinal);
        }
        table.live.or(live);
        int columns = SnapshotCodec.readCount(in, 1 << 20);
        for (int i = 0; i < columns; i++) {
            String field = SnapshotCodec.readString(in);
            FieldType type;
            try {
                type = FieldType.valueOf(SnapshotCodec.readString(in).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IOException("field " + field + ": " + e.getMessage());
            }
            Column column = Column.of(type, zone);
            RoaringBitmap present = SnapshotCodec.readBitmap(in);
            if (!RoaringBitmap.andNot(present, live).isEmpty()) {
                throw new IOException("field " + field + " of profiles the table does not hold");
            }
            SnapshotCodec.ValueReader values = new SnapshotCodec.ValueReader(in);
            PeekableIntIterator held = present.getIntIterator();
            while (held.hasNext()) {
                column.set(held.next(), values.read());
            }
            column.compact();
            table.columns.put(field, column);
        }
        table.events.readFrom(in, live);
        return table;
    }

    /** Rough heap bytes held by the columns, the events and the ordinals. */
    public long sizeInBytes() {
        long bytes = ids.sizeInBytes() + live.getLongSizeInBytes() + events.sizeInBytes();
        for (Column column : columns.values()) {
            bytes += column.sizeInBytes();
        }
        return bytes;
    }
}
