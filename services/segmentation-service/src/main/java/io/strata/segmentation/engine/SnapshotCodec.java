package io.strata.segmentation.engine;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.roaringbitmap.RoaringBitmap;

/**
 * The pieces a table's snapshot is written with: strings of any length, bitmaps, and the values of
 * a {@link Column} as {@link Column#get} gives them (a text written once per column, then by its
 * number). Reading gives back exactly what was written; anything else is an {@link IOException}.
 */
public final class SnapshotCodec {

    private static final byte MISMATCH = 0;
    private static final byte TEXT = 1;
    private static final byte TEXT_SEEN = 2;
    private static final byte NUMBER = 3;
    private static final byte BOOLEAN = 4;
    private static final byte INSTANT = 5;
    private static final byte DAY = 6;
    private static final byte TEXTS = 7;

    /** The longest string a snapshot holds (a guard against reading garbage as a length). */
    private static final int MAX_STRING = 64 << 20;

    private SnapshotCodec() {}

    /** A string of any length: its UTF-8 length, then its bytes. */
    public static void writeString(DataOutput out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** A string {@link #writeString} wrote. */
    public static String readString(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING) {
            throw new IOException("a string of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void writeBitmap(DataOutput out, RoaringBitmap bitmap) throws IOException {
        bitmap.serialize(out); // read only: the writer's tables are read by queries meanwhile
    }

    static RoaringBitmap readBitmap(DataInput in) throws IOException {
        RoaringBitmap bitmap = new RoaringBitmap();
        bitmap.deserialize(in);
        return bitmap;
    }

    /** A count read back: never negative, never more than {@code limit}. */
    public static int readCount(DataInput in, int limit) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > limit) {
            throw new IOException("a count of " + count);
        }
        return count;
    }

    /** Writes the values of one column; texts go once, then by number. */
    static final class ValueWriter {
        private final DataOutput out;
        private final Map<String, Integer> seen = new HashMap<>();

        ValueWriter(DataOutput out) {
            this.out = out;
        }

        void write(Object value) throws IOException {
            switch (value) {
                case Mismatch m -> out.writeByte(MISMATCH);
                case String s -> text(s);
                case Double d -> {
                    out.writeByte(NUMBER);
                    out.writeDouble(d);
                }
                case Boolean b -> {
                    out.writeByte(BOOLEAN);
                    out.writeBoolean(b);
                }
                case Instant at -> {
                    out.writeByte(INSTANT);
                    out.writeLong(at.toEpochMilli());
                }
                case LocalDate day -> {
                    out.writeByte(DAY);
                    out.writeLong(day.toEpochDay());
                }
                case Collection<?> texts -> {
                    out.writeByte(TEXTS);
                    out.writeInt(texts.size());
                    for (Object text : texts) {
                        text((String) text);
                    }
                }
                default -> throw new IllegalArgumentException("a column holds no " + value.getClass());
            }
        }

        private void text(String value) throws IOException {
            Integer number = seen.get(value);
            if (number != null) {
                out.writeByte(TEXT_SEEN);
                out.writeInt(number);
                return;
            }
            seen.put(value, seen.size());
            out.writeByte(TEXT);
            writeString(out, value);
        }
    }

    /** Reads what a {@link ValueWriter} wrote, value for value. */
    static final class ValueReader {
        private final DataInput in;
        private final List<String> seen = new ArrayList<>();

        ValueReader(DataInput in) {
            this.in = in;
        }

        Object read() throws IOException {
            byte kind = in.readByte();
            return switch (kind) {
                case MISMATCH -> Mismatch.VALUE;
                case TEXT, TEXT_SEEN -> text(kind);
                case NUMBER -> in.readDouble();
                case BOOLEAN -> in.readBoolean();
                case INSTANT -> Instant.ofEpochMilli(in.readLong());
                case DAY -> LocalDate.ofEpochDay(in.readLong());
                case TEXTS -> {
                    int count = readCount(in, MAX_STRING);
                    Set<String> texts = new LinkedHashSet<>();
                    for (int i = 0; i < count; i++) {
                        texts.add(text(in.readByte()));
                    }
                    yield texts;
                }
                default -> throw new IOException("no value of kind " + kind);
            };
        }

        private String text(byte kind) throws IOException {
            if (kind == TEXT) {
                String value = readString(in);
                seen.add(value);
                return value;
            }
            if (kind != TEXT_SEEN) {
                throw new IOException("no text of kind " + kind);
            }
            int number = in.readInt();
            if (number < 0 || number >= seen.size()) {
                throw new IOException("no text numbered " + number);
            }
            return seen.get(number);
        }
    }
}
