package io.strata.segmentation.service;

import io.strata.segmentation.engine.Audiences;
import io.strata.segmentation.engine.ProfileTable;
import io.strata.segmentation.engine.SnapshotCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.roaringbitmap.PeekableIntIterator;

/**
 * One tenant's profiles and audiences on one partition of the feed, with the feed version applied
 * per profile (a record at or below it is a redelivery) and, for profiles merged away or deleted,
 * their last version only (so a late copy of an older record does not bring them back).
 */
public final class TenantShard {

    private final String tenant;
    private final ProfileTable table;
    private final Audiences audiences;
    private long[] versions = new long[1024];
    private final Map<String, Long> gone = new HashMap<>();
    /** The version each audience was last evaluated with over every profile here. */
    private final Map<String, Long> segmentVersions = new HashMap<>();

    public TenantShard(String tenant, ZoneId zone) {
        this(tenant, new ProfileTable(zone));
    }

    /** A shard over a table of profiles (its audiences start empty). */
    public TenantShard(String tenant, ProfileTable table) {
        this.tenant = tenant;
        this.table = table;
        this.audiences = new Audiences(table);
    }

    /**
     * Writes the table and the feed versions held (not the audiences: their members are stored
     * apart, with the records announcing them) for {@link #readFrom}.
     */
    public void writeTo(DataOutput out) throws IOException {
        table.writeTo(out);
        PeekableIntIterator ordinals = table.live().getIntIterator();
        while (ordinals.hasNext()) {
            int ordinal = ordinals.next();
            out.writeLong(ordinal < versions.length ? versions[ordinal] : 0);
        }
        out.writeInt(gone.size());
        for (Map.Entry<String, Long> entry : gone.entrySet()) {
            SnapshotCodec.writeString(out, entry.getKey());
            out.writeLong(entry.getValue());
        }
    }

    /** A shard as {@link #writeTo} wrote it, with no audiences yet. */
    public static TenantShard readFrom(String tenant, ZoneId zone, DataInput in) throws IOException {
        TenantShard shard = new TenantShard(tenant, ProfileTable.readFrom(in, zone));
        PeekableIntIterator ordinals = shard.table.live().getIntIterator();
        while (ordinals.hasNext()) {
            shard.setVersion(ordinals.next(), in.readLong());
        }
        int gone = SnapshotCodec.readCount(in, Integer.MAX_VALUE);
        for (int i = 0; i < gone; i++) {
            shard.gone.put(SnapshotCodec.readString(in), in.readLong());
        }
        return shard;
    }

    public String tenant() {
        return tenant;
    }

    public ProfileTable table() {
        return table;
    }

    public Audiences audiences() {
        return audiences;
    }

    public Map<String, Long> segmentVersions() {
        return segmentVersions;
    }

    /** The feed version held of a profile: 0 for one never seen; a forgotten one's last version. */
    public long version(String profileId) {
        var ordinal = table.find(profileId);
        if (ordinal.isPresent()) {
            return ordinal.getAsInt() < versions.length ? versions[ordinal.getAsInt()] : 0;
        }
        return gone.getOrDefault(profileId, 0L);
    }

    public void setVersion(int ordinal, long version) {
        if (ordinal >= versions.length) {
            versions = Arrays.copyOf(versions, Math.max(ordinal + 1, versions.length * 2));
        }
        versions[ordinal] = Math.max(versions[ordinal], version);
    }

    /** The profile is merged away or deleted: it is forgotten but for its last version. */
    public void forget(int ordinal, long version) {
        String id = table.profileId(ordinal);
        if (id != null) {
            gone.put(id, Math.max(version, ordinal < versions.length ? versions[ordinal] : 0));
            if (ordinal < versions.length) {
                versions[ordinal] = 0;
            }
            table.forget(ordinal);
        }
    }

    /** A profile this shard never held is merged away or deleted: its later events are not taken in. */
    public void gone(String profileId, long version) {
        if (table.find(profileId).isEmpty()) {
            gone.merge(profileId, version, Math::max);
        }
    }

    /** A profile restored (an unmerge) is no longer gone. */
    public void restored(String profileId) {
        gone.remove(profileId);
    }
}
