package io.strata.segmentation.engine;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.Evaluator;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.rules.Op;
import io.strata.segmentation.rules.ProfileFacts.EventFact;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * The events each profile performed, kept for the event conditions: one byte array per profile of
 * varint-encoded records, names, property keys and text values coded by table-wide dictionaries.
 * A record is
 *
 * <pre>
 *   sint64 at (epoch ms) | uint32 name | fixed64 identity | uint32 properties |
 *   per property: uint32 key, byte kind, value (0 text: uint32 code; 1 number: double; 2 boolean: byte)
 * </pre>
 *
 * About 20 bytes for an event without properties, a few more per property. The identity (a hash of
 * the event's source and message id) makes a redelivered event a no-op. Records older than the
 * retention are dropped by {@link #prune}. A bitmap per event name holds the profiles with at least
 * one such event kept, so a batch evaluation scans only those, and an {@link EventIndex} of weekly
 * posting bitmaps lets it read the logs of only the profiles whose count the index leaves open
 * ({@link #narrow}).
 */
public final class EventStore {

    private static final byte TEXT = 0;
    private static final byte NUMBER = 1;
    private static final byte BOOLEAN = 2;

    private final Dictionary names = new Dictionary();
    private final Dictionary keys = new Dictionary();
    private final Dictionary texts = new Dictionary();
    private final List<RoaringBitmap> performed = new ArrayList<>();
    private final EventIndex index = new EventIndex();
    private byte[][] logs = new byte[0][];

    /** The highest count the index decides; a condition asking more reads the logs. */
    static final int MOST_COUNTED = 8;

    /**
     * What reading one profile's log costs, in posting entries intersected: the index is used when
     * the window's postings are fewer than this many per profile to decide (measured on 10 M
     * profiles: a scattered profile's log about 200 ns, a posting entry about 3.4 ns).
     */
    static final int LOG_COST = 32;

    /**
     * Keeps an event; false when the profile already has an event of that identity.
     *
     * @param properties texts, numbers and booleans (anything else is kept as its text; nulls are left out)
     */
    public boolean add(int ordinal, long identity, String name, Instant at, Map<String, Object> properties) {
        if (ordinal >= logs.length) {
            logs = Arrays.copyOf(logs, Math.max(ordinal + 1, logs.length * 2 + 16));
        }
        byte[] log = logs[ordinal];
        if (log != null && contains(log, identity)) {
            return false;
        }
        int room = 32 + 16 * properties.size();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((log == null ? 0 : log.length) + room);
        try {
            if (log != null) {
                bytes.write(log);
            }
            CodedOutputStream out = CodedOutputStream.newInstance(bytes, room);
            int code = names.code(name);
            if (code == performed.size()) {
                performed.add(new RoaringBitmap());
            }
            out.writeSInt64NoTag(at.toEpochMilli());
            out.writeUInt32NoTag(code);
            out.writeFixed64NoTag(identity);
            int count = 0;
            for (Object value : properties.values()) {
                count += value == null ? 0 : 1;
            }
            out.writeUInt32NoTag(count);
            int[] keyCodes = new int[count];
            int[] textCodes = new int[count];
            int written = 0;
            for (Map.Entry<String, Object> property : properties.entrySet()) {
                Object value = property.getValue();
                if (value == null) {
                    continue;
                }
                int key = keys.code(property.getKey());
                out.writeUInt32NoTag(key);
                int text = -1;
                switch (value) {
                    case Number n -> {
                        out.write(NUMBER);
                        out.writeDoubleNoTag(n.doubleValue());
                    }
                    case Boolean b -> {
                        out.write(BOOLEAN);
                        out.write((byte) (b ? 1 : 0));
                    }
                    default -> {
                        out.write(TEXT);
                        text = texts.code(value.toString());
                        out.writeUInt32NoTag(text);
                    }
                }
                keyCodes[written] = key;
                textCodes[written++] = text;
            }
            out.flush();
            logs[ordinal] = bytes.toByteArray();
            performed.get(code).add(ordinal);
            long atMs = at.toEpochMilli();
            index.event(ordinal, code, atMs);
            for (int i = 0; i < written; i++) {
                index.property(ordinal, code, atMs, keyCodes[i], textCodes[i]);
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The profiles with at least one kept event of that name. */
    public RoaringBitmap performed(String name) {
        int code = names.find(name);
        return code < 0 ? new RoaringBitmap() : performed.get(code);
    }

    /**
     * The count of a {@link Condition.Performed} compiled against this store's dictionaries, for
     * scanning many profiles: it reads the records in place and decodes only the properties its
     * filters name. Counts as {@link Evaluator#count} does.
     */
    public Counter counter(Condition.Performed performed, Instant now) {
        return new Counter(performed, now);
    }

    /**
     * What the index tells of an event count, in three parts: the profiles of {@code scan} that
     * meet it, those that fail it (left out) and those whose logs must be read ({@code unknown}).
     * Over the weeks of the condition's event name (or, when the condition filters a property the
     * index holds with {@code eq} or {@code in}, of those values), the weeks wholly inside the window
     * give a lower bound of each count (only when that filter is the condition's only one) and every
     * week touching the window an upper bound; a week with two or more such events bounds nothing
     * above. When the window's postings outnumber what reading the profiles' logs would cost, the
     * index steps aside and every profile is left to read.
     *
     * @param scan profiles with at least one kept event of the condition's name
     */
    public Narrowed narrow(Condition.Performed performed, Instant now, RoaringBitmap scan) {
        int name = names.find(performed.event());
        EventIndex.Cells nameCells = name < 0 ? null : index.name(name);
        long n = performed.count();
        long highest = performed.times() == Condition.Times.AT_LEAST ? n : n + 1;
        if (nameCells == null || n < 0 || highest > MOST_COUNTED) {
            return new Narrowed(new RoaringBitmap(), scan);
        }
        long from = windowStart(performed, now);
        long to = now.toEpochMilli();
        List<EventIndex.Cells> scope = null;
        boolean exact = performed.where().isEmpty();
        for (Condition.PropertyFilter filter : performed.where()) {
            if (filter.type() == FieldType.STRING && (filter.op() == Op.EQ || filter.op() == Op.IN)) {
                int[] codes = filter.values().stream()
                        .mapToInt(v -> texts.find((String) v))
                        .filter(code -> code >= 0)
                        .distinct()
                        .toArray();
                scope = index.values(name, keys.find(filter.property()), codes);
                if (scope != null) {
                    exact = performed.where().size() == 1;
                    break;
                }
            }
        }
        if (scope == null) {
            scope = List.of(nameCells);
        }
        long postings = 0;
        for (EventIndex.Cells cells : scope) {
            for (RoaringBitmap[] cell : cells.touching(from, to).values()) {
                postings += cell[0].getLongCardinality();
            }
        }
        if (postings > LOG_COST * scan.getLongCardinality()) {
            // few profiles in question against many postings: reading their logs costs less
            return new Narrowed(new RoaringBitmap(), scan);
        }
        int k = (int) highest;
        // possible[j]: the count may reach j; certain[j]: it does
        RoaringBitmap[] possible = new RoaringBitmap[k + 1];
        RoaringBitmap[] certain = new RoaringBitmap[k + 1];
        possible[0] = scan;
        certain[0] = scan;
        for (int j = 1; j <= k; j++) {
            possible[j] = new RoaringBitmap();
            certain[j] = new RoaringBitmap();
        }
        for (EventIndex.Cells cells : k == 0 ? List.<EventIndex.Cells>of() : scope) {
            for (Map.Entry<Long, RoaringBitmap[]> week :
                    cells.touching(from, to).entrySet()) {
                RoaringBitmap one = RoaringBitmap.and(week.getValue()[0], scan);
                if (one.isEmpty()) {
                    continue;
                }
                RoaringBitmap two = k >= 2 ? RoaringBitmap.and(week.getValue()[1], scan) : null;
                boolean inside =
                        EventIndex.firstMilli(week.getKey()) >= from && EventIndex.lastMilli(week.getKey()) <= to;
                for (int j = k; j >= 1; j--) {
                    possible[j].or(j == 1 ? one : RoaringBitmap.and(possible[j - 1], one));
                    if (j >= 2) {
                        possible[j].or(two);
                    }
                    if (exact && inside) {
                        certain[j].or(j == 1 ? one : RoaringBitmap.and(certain[j - 1], one));
                        if (j >= 2) {
                            certain[j].or(j == 2 ? two : RoaringBitmap.and(certain[j - 2], two));
                        }
                    }
                }
            }
        }
        int c = (int) n;
        RoaringBitmap meets;
        RoaringBitmap fails;
        switch (performed.times()) {
            case AT_LEAST -> {
                meets = certain[c];
                fails = RoaringBitmap.andNot(scan, possible[c]);
            }
            case AT_MOST -> {
                meets = RoaringBitmap.andNot(scan, possible[c + 1]);
                fails = certain[c + 1];
            }
            default -> {
                meets = RoaringBitmap.andNot(certain[c], possible[c + 1]);
                fails = RoaringBitmap.or(RoaringBitmap.andNot(scan, possible[c]), certain[c + 1]);
            }
        }
        RoaringBitmap unknown = RoaringBitmap.andNot(RoaringBitmap.andNot(scan, meets), fails);
        return new Narrowed(meets == scan ? scan.clone() : meets, unknown);
    }

    /** What {@link #narrow} tells: the profiles known to meet the count, and those whose logs to read. */
    public record Narrowed(RoaringBitmap meets, RoaringBitmap unknown) {}

    /** The first epoch millisecond of the condition's window (the whole of time when it has none). */
    private static long windowStart(Condition.Performed performed, Instant now) {
        if (performed.withinDays() == 0) {
            return Long.MIN_VALUE;
        }
        Instant start = now.minus(Duration.ofDays(performed.withinDays()));
        // the first whole millisecond not before the window's start
        return start.toEpochMilli() + (start.getNano() % 1_000_000 == 0 ? 0 : 1);
    }

    /**
     * See {@link #counter}. Valid until the store's dictionaries change (a write); one thread at a
     * time (it keeps scratch state).
     */
    public final class Counter {
        private final int name;
        private final long from;
        private final long to;
        private final Condition.PropertyFilter[] where;
        private final int[] keyCodes;
        /** Per filter: the text codes an equality test (eq, in; ne, not in negated) is decided by, or null. */
        private final int[][] textCodes;

        private final boolean[] missingPasses;
        // the current event's values of the filtered properties
        private final boolean[] seen;
        private final byte[] kinds;
        private final long[] raw;
        private byte[] log;
        private int pos;

        private Counter(Condition.Performed performed, Instant now) {
            name = names.find(performed.event());
            to = now.toEpochMilli();
            from = windowStart(performed, now);
            where = performed.where().toArray(Condition.PropertyFilter[]::new);
            int n = where.length;
            keyCodes = new int[n];
            textCodes = new int[n][];
            missingPasses = new boolean[n];
            for (int i = 0; i < n; i++) {
                Condition.PropertyFilter filter = where[i];
                keyCodes[i] = keys.find(filter.property());
                missingPasses[i] = Evaluator.passes(filter, null);
                if (filter.type() == FieldType.STRING
                        && (filter.op() == Op.EQ
                                || filter.op() == Op.NE
                                || filter.op() == Op.IN
                                || filter.op() == Op.NOT_IN)) {
                    textCodes[i] = filter.values().stream()
                            .mapToInt(v -> texts.find((String) v))
                            .filter(code -> code >= 0)
                            .toArray();
                }
            }
            seen = new boolean[n];
            kinds = new byte[n];
            raw = new long[n];
        }

        /**
         * The counts of many profiles at once: their logs are fetched first, all of them, so the
         * memory reads of a batch overlap rather than wait on each other, then read.
         *
         * @param ordinals ascending ordinals, the first {@code n} used
         * @param counts receives the count of each
         */
        public void count(int[] ordinals, int n, long[] counts) {
            if (fetched.length < n) {
                fetched = new byte[n][];
            }
            int touched = 0;
            for (int i = 0; i < n; i++) {
                int ordinal = ordinals[i];
                byte[] held = ordinal < logs.length ? logs[ordinal] : null;
                fetched[i] = held;
                touched += held == null ? 0 : held[0];
            }
            sink = touched;
            for (int i = 0; i < n; i++) {
                counts[i] = fetched[i] == null || name < 0 ? 0 : count(fetched[i]);
                fetched[i] = null;
            }
        }

        private byte[][] fetched = new byte[0][];
        /** Keeps the reads of the fetch from being optimised away. */
        @SuppressWarnings("unused")
        private int sink;

        /** The profile's events counted by the condition. */
        public long count(int ordinal) {
            if (name < 0 || ordinal >= logs.length || logs[ordinal] == null) {
                return 0;
            }
            return count(logs[ordinal]);
        }

        private long count(byte[] profileLog) {
            log = profileLog;
            pos = 0;
            long count = 0;
            while (pos < log.length) {
                long zigzag = varint();
                long at = (zigzag >>> 1) ^ -(zigzag & 1);
                int nameCode = (int) varint();
                pos += 8; // the identity
                int properties = (int) varint();
                boolean wanted = nameCode == name && at >= from && at <= to;
                if (wanted) {
                    Arrays.fill(seen, false);
                }
                for (int i = 0; i < properties; i++) {
                    int key = (int) varint();
                    byte kind = log[pos++];
                    long value;
                    switch (kind) {
                        case NUMBER -> {
                            value = fixed64();
                        }
                        case BOOLEAN -> value = log[pos++];
                        default -> value = varint();
                    }
                    if (wanted) {
                        for (int slot = 0; slot < keyCodes.length; slot++) {
                            if (keyCodes[slot] == key) {
                                seen[slot] = true;
                                kinds[slot] = kind;
                                raw[slot] = value;
                            }
                        }
                    }
                }
                if (wanted && passes()) {
                    count++;
                }
            }
            return count;
        }

        private boolean passes() {
            for (int i = 0; i < where.length; i++) {
                boolean passes;
                if (!seen[i]) {
                    // a property the event lacks: only "missing" holds for it
                    passes = missingPasses[i];
                } else if (kinds[i] == TEXT && textCodes[i] != null) {
                    boolean equal = false;
                    for (int code : textCodes[i]) {
                        equal |= code == raw[i];
                    }
                    Op op = where[i].op();
                    passes = op == Op.EQ || op == Op.IN ? equal : !equal;
                } else {
                    Object value = switch (kinds[i]) {
                        case NUMBER -> Double.longBitsToDouble(raw[i]);
                        case BOOLEAN -> raw[i] != 0;
                        default -> texts.value((int) raw[i]);
                    };
                    passes = Evaluator.passes(where[i], value);
                }
                if (!passes) {
                    return false;
                }
            }
            return true;
        }

        private long varint() {
            long result = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = log[pos++];
                result |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return result;
                }
            }
        }

        private long fixed64() {
            long result = 0;
            for (int i = 0; i < 8; i++) {
                result |= (log[pos + i] & 0xffL) << (8 * i);
            }
            pos += 8;
            return result;
        }
    }

    /** The profile's kept events of that name, oldest first as they were added. */
    public List<EventFact> events(int ordinal, String name) {
        int code = names.find(name);
        if (code < 0 || ordinal >= logs.length || logs[ordinal] == null) {
            return List.of();
        }
        List<EventFact> out = new ArrayList<>();
        read(logs[ordinal], (at, nameCode, identity, properties) -> {
            if (nameCode == code) {
                out.add(new EventFact(Instant.ofEpochMilli(at), properties));
            }
            return true;
        });
        return out;
    }

    /** The profile's events of every name, for moving them to another profile. */
    public List<StoredEvent> all(int ordinal) {
        if (ordinal >= logs.length || logs[ordinal] == null) {
            return List.of();
        }
        List<StoredEvent> out = new ArrayList<>();
        read(logs[ordinal], (at, nameCode, identity, properties) -> {
            out.add(new StoredEvent(identity, names.value(nameCode), Instant.ofEpochMilli(at), properties));
            return true;
        });
        return out;
    }

    /** One kept event with its identity. */
    public record StoredEvent(long identity, String name, Instant at, Map<String, Object> properties) {}

    /** Removes the profile's events of those identities (moved to another profile); the events removed. */
    public List<StoredEvent> take(int ordinal, java.util.Set<Long> identities) {
        List<StoredEvent> taken = new ArrayList<>();
        List<StoredEvent> kept = new ArrayList<>();
        for (StoredEvent event : all(ordinal)) {
            (identities.contains(event.identity()) ? taken : kept).add(event);
        }
        if (!taken.isEmpty()) {
            clear(ordinal);
            for (StoredEvent event : kept) {
                add(ordinal, event.identity(), event.name(), event.at(), event.properties());
            }
        }
        return taken;
    }

    /** Forgets every event of the profile. */
    public void clear(int ordinal) {
        if (ordinal < logs.length && logs[ordinal] != null) {
            index(ordinal, logs[ordinal], false);
            logs[ordinal] = null;
            for (RoaringBitmap bitmap : performed) {
                bitmap.remove(ordinal);
            }
        }
    }

    /** Drops the events before {@code before} of every profile; the number dropped. */
    public long prune(Instant before) {
        long cutoff = before.toEpochMilli();
        long dropped = 0;
        for (int ordinal = 0; ordinal < logs.length; ordinal++) {
            byte[] log = logs[ordinal];
            if (log == null) {
                continue;
            }
            List<StoredEvent> kept = new ArrayList<>();
            long[] old = {0};
            read(log, (at, nameCode, identity, properties) -> {
                if (at < cutoff) {
                    old[0]++;
                } else {
                    kept.add(new StoredEvent(identity, names.value(nameCode), Instant.ofEpochMilli(at), properties));
                }
                return true;
            });
            if (old[0] > 0) {
                clear(ordinal);
                for (StoredEvent event : kept) {
                    add(ordinal, event.identity(), event.name(), event.at(), event.properties());
                }
                dropped += old[0];
            }
        }
        return dropped;
    }

    /** Writes the events as kept, with their dictionaries, for {@link #readFrom}. */
    void writeTo(DataOutput out) throws IOException {
        for (Dictionary dictionary : List.of(names, keys, texts)) {
            out.writeInt(dictionary.size());
            for (int code = 0; code < dictionary.size(); code++) {
                SnapshotCodec.writeString(out, dictionary.value(code));
            }
        }
        RoaringBitmap held = new RoaringBitmap();
        for (int ordinal = 0; ordinal < logs.length; ordinal++) {
            if (logs[ordinal] != null) {
                held.add(ordinal);
            }
        }
        SnapshotCodec.writeBitmap(out, held);
        PeekableIntIterator ordinals = held.getIntIterator();
        while (ordinals.hasNext()) {
            byte[] log = logs[ordinals.next()];
            out.writeInt(log.length);
            out.write(log);
        }
        for (RoaringBitmap bitmap : performed) {
            SnapshotCodec.writeBitmap(out, bitmap);
        }
    }

    /**
     * Fills this empty store with what {@link #writeTo} wrote.
     *
     * @param live the ordinals of the table's profiles: the events are of some of them
     */
    void readFrom(DataInput in, RoaringBitmap live) throws IOException {
        if (names.size() > 0 || logs.length > 0) {
            throw new IllegalStateException("the store holds events already");
        }
        for (Dictionary dictionary : List.of(names, keys, texts)) {
            int size = SnapshotCodec.readCount(in, Integer.MAX_VALUE);
            for (int code = 0; code < size; code++) {
                if (dictionary.code(SnapshotCodec.readString(in)) != code) {
                    throw new IOException("a dictionary holds a value twice");
                }
            }
        }
        RoaringBitmap held = SnapshotCodec.readBitmap(in);
        if (!RoaringBitmap.andNot(held, live).isEmpty()) {
            throw new IOException("events of profiles the table does not hold");
        }
        logs = new byte[held.isEmpty() ? 0 : held.last() + 1][];
        PeekableIntIterator ordinals = held.getIntIterator();
        while (ordinals.hasNext()) {
            byte[] log = new byte[SnapshotCodec.readCount(in, 1 << 30)];
            in.readFully(log);
            int ordinal = ordinals.next();
            logs[ordinal] = log;
            // the index is not written: it is made again from the logs
            index(ordinal, log, true);
        }
        for (int code = 0; code < names.size(); code++) {
            RoaringBitmap bitmap = SnapshotCodec.readBitmap(in);
            if (!RoaringBitmap.andNot(bitmap, held).isEmpty()) {
                throw new IOException("event " + names.value(code) + " performed by profiles without events");
            }
            performed.add(bitmap);
        }
    }

    /** Rough heap bytes held. */
    public long sizeInBytes() {
        long bytes = 16L * logs.length;
        for (byte[] log : logs) {
            bytes += log == null ? 0 : 16 + log.length;
        }
        for (RoaringBitmap bitmap : performed) {
            bytes += bitmap.getLongSizeInBytes();
        }
        return bytes + index.sizeInBytes();
    }

    /** Whether the log holds an event of that identity: reads only the records' heads. */
    private static boolean contains(byte[] log, long identity) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(log);
            while (!in.isAtEnd()) {
                in.readSInt64();
                in.readUInt32();
                if (in.readFixed64() == identity) {
                    return true;
                }
                int count = in.readUInt32();
                for (int i = 0; i < count; i++) {
                    in.readUInt32();
                    switch (in.readRawByte()) {
                        case NUMBER -> in.skipRawBytes(8);
                        case BOOLEAN -> in.skipRawBytes(1);
                        default -> in.readUInt32();
                    }
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the index needs of a log's records. */
    private interface Walker {
        void event(long at, int name);

        /** @param text the value's text code, or -1 when the value is a number or a boolean */
        void property(long at, int name, int key, int text);
    }

    /** Enters a profile's logged events into the index, or takes them out (all of them: see {@link #clear}). */
    private void index(int ordinal, byte[] log, boolean enter) {
        walk(log, new Walker() {
            @Override
            public void event(long at, int name) {
                if (enter) {
                    index.event(ordinal, name, at);
                } else {
                    index.unevent(ordinal, name, at);
                }
            }

            @Override
            public void property(long at, int name, int key, int text) {
                if (enter) {
                    index.property(ordinal, name, at, key, text);
                } else {
                    index.unproperty(ordinal, name, at, key, text);
                }
            }
        });
    }

    /** Reads a log's records for the index, without making their values. */
    private static void walk(byte[] log, Walker walker) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(log);
            while (!in.isAtEnd()) {
                long at = in.readSInt64();
                int name = in.readUInt32();
                in.skipRawBytes(8);
                int count = in.readUInt32();
                walker.event(at, name);
                for (int i = 0; i < count; i++) {
                    int key = in.readUInt32();
                    int text = -1;
                    switch (in.readRawByte()) {
                        case NUMBER -> in.skipRawBytes(8);
                        case BOOLEAN -> in.skipRawBytes(1);
                        default -> text = in.readUInt32();
                    }
                    walker.property(at, name, key, text);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Visitor {
        /** False stops the reading. */
        boolean visit(long at, int name, long identity, Map<String, Object> properties);
    }

    private void read(byte[] log, Visitor visitor) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(log);
            while (!in.isAtEnd()) {
                long at = in.readSInt64();
                int name = in.readUInt32();
                long identity = in.readFixed64();
                int count = in.readUInt32();
                Map<String, Object> properties = count == 0 ? Map.of() : new LinkedHashMap<>(count * 2);
                for (int i = 0; i < count; i++) {
                    String key = keys.value(in.readUInt32());
                    byte kind = in.readRawByte();
                    Object value = switch (kind) {
                        case NUMBER -> in.readDouble();
                        case BOOLEAN -> in.readRawByte() != 0;
                        default -> texts.value(in.readUInt32());
                    };
                    properties.put(key, value);
                }
                if (!visitor.visit(
                        at, name, identity, count == 0 ? properties : Collections.unmodifiableMap(properties))) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
