package io.strata.segmentation.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.segmentation.rules.FieldType;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A partition's snapshot reads back as written (tenants, tables, feed versions, forgotten
 * profiles), across chunks, and one not stored whole is refused rather than read wrong.
 */
class PartitionSnapshotTest {

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final LocalDate DAY = LocalDate.of(2026, 12, 3);

    private static Map<String, TenantShard> shards() {
        Random random = new Random(7);
        Map<String, TenantShard> shards = new TreeMap<>();
        for (String tenant : List.of("demo", "acme")) {
            TenantShard shard = new TenantShard(tenant, ZONE);
            for (int i = 0; i < 2_000; i++) {
                String id = new UUID(random.nextLong(), random.nextLong()).toString();
                int ordinal = shard.table().ordinal(id);
                shard.setVersion(ordinal, 1 + random.nextInt(50));
                shard.table().set(ordinal, "traits.city", FieldType.STRING, "city-" + random.nextInt(40));
                shard.table().set(ordinal, "orders.total", FieldType.NUMBER, random.nextDouble() * 1_000);
                shard.table()
                        .addEvent(
                                ordinal,
                                random.nextLong(),
                                "Order Completed",
                                Instant.ofEpochMilli(1_790_000_000_000L + random.nextInt()),
                                Map.of("sku", "sku-" + random.nextInt(100_000), "revenue", random.nextDouble()));
            }
            shard.forget(5, 99);
            shards.put(tenant, shard);
        }
        return shards;
    }

    @Test
    void aSnapshotReadsBackAsWrittenAcrossChunks() throws IOException {
        Map<String, TenantShard> shards = shards();
        PartitionSnapshot.Written written = PartitionSnapshot.write(shards, ZONE, DAY, 16 * 1024);
        assertTrue(written.chunks().size() > 3, "chunks: " + written.chunks().size());

        PartitionSnapshot.Read read = PartitionSnapshot.read(written.chunks(), written.checksum(), ZONE);

        assertEquals(ZONE, read.zone());
        assertEquals(DAY, read.day());
        assertEquals(shards.keySet(), read.tenants().keySet());
        for (String tenant : shards.keySet()) {
            TenantShard before = shards.get(tenant);
            TenantShard after = read.tenants().get(tenant);
            assertEquals(before.table().live(), after.table().live());
            before.table().live().forEach((int o) -> {
                String id = before.table().profileId(o);
                assertEquals(id, after.table().profileId(o));
                assertEquals(before.version(id), after.version(id));
                assertEquals(
                        before.table().facts(o).value("traits.city"),
                        after.table().facts(o).value("traits.city"));
                assertEquals(
                        before.table().facts(o).value("orders.total"),
                        after.table().facts(o).value("orders.total"));
                assertEquals(
                        before.table().events().all(o), after.table().events().all(o));
            });
            assertEquals(null, after.table().profileId(5), "a forgotten profile stays forgotten");
        }
    }

    @Test
    void aForgottenProfileKeepsItsLastVersionInTheSnapshot() throws IOException {
        TenantShard shard = new TenantShard("demo", ZONE);
        int ordinal = shard.table().ordinal("merged-away");
        shard.setVersion(ordinal, 12);
        shard.forget(ordinal, 15);

        PartitionSnapshot.Written written = PartitionSnapshot.write(Map.of("demo", shard), ZONE, DAY);
        TenantShard read = PartitionSnapshot.read(written.chunks(), written.checksum(), ZONE)
                .tenants()
                .get("demo");

        assertEquals(15, read.version("merged-away"), "a late copy of an older record must not bring it back");
        assertTrue(read.table().find("merged-away").isEmpty());
        assertEquals(1, read.table().ordinal("another"), "ordinals are not reused");
    }

    @Test
    void aSnapshotNotStoredWholeIsRefused() throws IOException {
        PartitionSnapshot.Written written = PartitionSnapshot.write(shards(), ZONE, DAY, 16 * 1024);

        List<byte[]> flipped = new ArrayList<>(written.chunks());
        byte[] chunk = flipped.get(1).clone();
        chunk[100] ^= 1;
        flipped.set(1, chunk);
        IOException corrupt =
                assertThrows(IOException.class, () -> PartitionSnapshot.read(flipped, written.checksum(), ZONE));
        assertTrue(corrupt.getMessage().contains("checksum"), corrupt.getMessage());

        List<byte[]> shorter = written.chunks().subList(0, written.chunks().size() - 1);
        assertThrows(IOException.class, () -> PartitionSnapshot.read(shorter, written.checksum(), ZONE));
    }

    @Test
    void aTruncatedSnapshotWithAMatchingChecksumDoesNotRead() throws IOException {
        PartitionSnapshot.Written written = PartitionSnapshot.write(shards(), ZONE, DAY, 16 * 1024);
        List<byte[]> shorter = written.chunks().subList(0, written.chunks().size() / 2);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        shorter.forEach(crc::update);

        assertThrows(IOException.class, () -> PartitionSnapshot.read(shorter, crc.getValue(), ZONE));
    }
}
