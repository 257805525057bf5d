package io.strata.platform.outbox;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of one write, as one outbox row: a write announces hundreds of records (an event and
 * a change per profile), and one row for all of them costs the database one insert and one delete
 * per write instead of per record. The format is private to the outbox: a count, then per record
 * its topic, key and payload.
 */
public final class OutboxRecords {

    /** One Kafka record to send. */
    public record Entry(String topic, String key, byte[] payload) {}

    private final List<Entry> entries = new ArrayList<>();

    public void add(String topic, String key, byte[] payload) {
        entries.add(new Entry(topic, key, payload));
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + entries.size() * 512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(entries.size());
            for (Entry entry : entries) {
                out.writeUTF(entry.topic());
                out.writeUTF(entry.key());
                out.writeInt(entry.payload().length);
                out.write(entry.payload());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static List<Entry> decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int n = in.readInt();
            List<Entry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String topic = in.readUTF();
                String key = in.readUTF();
                byte[] payload = new byte[in.readInt()];
                in.readFully(payload);
                entries.add(new Entry(topic, key, payload));
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("an outbox row is not readable", e);
        }
    }
}
