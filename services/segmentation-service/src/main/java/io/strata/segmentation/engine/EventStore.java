package io.strata.segmentation.engine;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.strata.segmentation.rules.ProfileFacts.EventFact;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * one such event kept, so a batch evaluation scans only those.
 */
public final class EventStore {

    private static final byte TEXT = 0;
    private static final byte NUMBER = 1;
    private static final byte BOOLEAN = 2;

    private final Dictionary names = new Dictionary();
    private final Dictionary keys = new Dictionary();
    private final Dictionary texts = new Dictionary();
    private final List<RoaringBitmap> performed = new ArrayList<>();
    private byte[][] logs = new byte[0][];

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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + 16 * properties.size());
        try {
            if (log != null) {
                bytes.write(log);
            }
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
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
            for (Map.Entry<String, Object> property : properties.entrySet()) {
                Object value = property.getValue();
                if (value == null) {
                    continue;
                }
                out.writeUInt32NoTag(keys.code(property.getKey()));
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
                        out.writeUInt32NoTag(texts.code(value.toString()));
                    }
                }
            }
            out.flush();
            logs[ordinal] = bytes.toByteArray();
            performed.get(code).add(ordinal);
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

    /** Rough heap bytes held. */
    public long sizeInBytes() {
        long bytes = 16L * logs.length;
        for (byte[] log : logs) {
            bytes += log == null ? 0 : 16 + log.length;
        }
        for (RoaringBitmap bitmap : performed) {
            bytes += bitmap.getLongSizeInBytes();
        }
        return bytes;
    }

    private boolean contains(byte[] log, long identity) {
        boolean[] found = {false};
        read(log, (at, nameCode, id, properties) -> {
            found[0] = id == identity;
            return !found[0];
        });
        return found[0];
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
