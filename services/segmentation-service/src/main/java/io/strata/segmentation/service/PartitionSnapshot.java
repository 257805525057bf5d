package io.strata.segmentation.service;

import io.strata.segmentation.engine.SnapshotCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The tables of one partition of the feed (every tenant's {@link TenantShard}: ordinals, fields,
 * events, feed versions) as bytes, so that a restarted or newly assigned owner reads them instead
 * of the feed from its beginning. Audience members are not in it: they are stored apart, with the
 * records announcing them, at offsets at or beyond the snapshot's.
 *
 * <p>The bytes are deflated and cut into chunks (PostgreSQL holds them as rows); a CRC-32C of the
 * chunks tells a snapshot read back whole from one that is not. Format 1:
 *
 * <pre>
 *   int magic "SSP1" | int format | string zone | long epoch day taken | int tenants |
 *   per tenant: string tenant, {@link TenantShard#writeTo}
 * </pre>
 */
public final class PartitionSnapshot {

    /** The format written; a snapshot of another is not read (the partition loads from the feed). */
    public static final int FORMAT = 1;

    private static final int MAGIC = 0x53535031;
    private static final int CHUNK_BYTES = 8 << 20;

    /** A snapshot as bytes. */
    public record Written(List<byte[]> chunks, long checksum, long bytes) {}

    /** A snapshot read back: the tables, and the zone and day their rolling windows were counted in. */
    public record Read(Map<String, TenantShard> tenants, ZoneId zone, LocalDate day) {}

    private PartitionSnapshot() {}

    public static Written write(Map<String, TenantShard> tenants, ZoneId zone, LocalDate day) throws IOException {
        return write(tenants, zone, day, CHUNK_BYTES);
    }

    static Written write(Map<String, TenantShard> tenants, ZoneId zone, LocalDate day, int chunkBytes)
            throws IOException {
        Chunks chunks = new Chunks(chunkBytes);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (DataOutputStream out = new DataOutputStream(
                new BufferedOutputStream(new DeflaterOutputStream(chunks, deflater, 1 << 16), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            SnapshotCodec.writeString(out, zone.getId());
            out.writeLong(day.toEpochDay());
            out.writeInt(tenants.size());
            for (Map.Entry<String, TenantShard> tenant : tenants.entrySet()) {
                SnapshotCodec.writeString(out, tenant.getKey());
                tenant.getValue().writeTo(out);
            }
        } finally {
            deflater.end();
        }
        CRC32C crc = new CRC32C();
        chunks.list.forEach(crc::update);
        return new Written(List.copyOf(chunks.list), crc.getValue(), chunks.total);
    }

    /**
     * Reads a snapshot back, its tables' indexes built in {@code zone}.
     *
     * @throws IOException when the chunks are not a whole snapshot of this format (a checksum that
     *     differs, bytes that do not read, bytes left over)
     */
    public static Read read(List<byte[]> chunks, long checksum, ZoneId zone) throws IOException {
        CRC32C crc = new CRC32C();
        chunks.forEach(crc::update);
        if (crc.getValue() != checksum) {
            throw new IOException("its checksum differs: it was not stored whole");
        }
        Enumeration<InputStream> parts = Collections.enumeration(chunks.stream()
                .map(chunk -> (InputStream) new ByteArrayInputStream(chunk))
                .toList());
        Inflater inflater = new Inflater();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                new InflaterInputStream(new SequenceInputStream(parts), inflater, 1 << 16), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new IOException("it is no partition snapshot");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException("it is of format " + format + ", not " + FORMAT);
            }
            ZoneId taken;
            try {
                taken = ZoneId.of(SnapshotCodec.readString(in));
            } catch (DateTimeException e) {
                throw new IOException("its zone: " + e.getMessage());
            }
            LocalDate day = LocalDate.ofEpochDay(in.readLong());
            int count = SnapshotCodec.readCount(in, Integer.MAX_VALUE);
            Map<String, TenantShard> tenants = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String tenant = SnapshotCodec.readString(in);
                tenants.put(tenant, TenantShard.readFrom(tenant, zone, in));
            }
            if (in.read() != -1) {
                throw new IOException("bytes are left over after its tables");
            }
            return new Read(tenants, taken, day);
        } catch (IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException e) {
            throw new IOException("it does not read: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    /** Bytes cut into chunks. */
    private static final class Chunks extends OutputStream {
        final List<byte[]> list = new ArrayList<>();
        private final int size;
        private byte[] current = new byte[0];
        private int used;
        long total;

        Chunks(int size) {
            this.size = size;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            while (length > 0) {
                if (used == current.length) {
                    flushChunk();
                    current = new byte[size];
                }
                int n = Math.min(length, current.length - used);
                System.arraycopy(bytes, offset, current, used, n);
                used += n;
                offset += n;
                length -= n;
                total += n;
            }
        }

        private void flushChunk() {
            if (used > 0) {
                list.add(used == current.length ? current : Arrays.copyOf(current, used));
            }
            used = 0;
        }

        @Override
        public void close() {
            flushChunk();
            current = new byte[0];
        }
    }
}
