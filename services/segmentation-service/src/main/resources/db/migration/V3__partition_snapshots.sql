-- Snapshots of each partition's tables (profiles, fields, events, feed versions), so that an owner
-- that starts or takes a partition over reads the snapshot and then the feed from its offsets
-- rather than the feed from its beginning. One snapshot per partition, replaced whole in one
-- transaction; the members are not in it (segment_members, stored at or beyond its offsets).
--
-- * partition_snapshots: per feed topic (topics[i]) the offset its tables hold every record before
--   (next_offsets[i]), when it was taken, its format, and the CRC-32C and size of its chunks.
-- * partition_snapshot_chunks: its bytes (deflated, in order), a few MiB per row.

create table partition_snapshots (
    partition    integer     primary key,
    topics       text[]      not null,
    next_offsets bigint[]    not null,
    taken_at     timestamptz not null,
    format       integer     not null,
    chunks       integer     not null,
    bytes        bigint      not null,
    checksum     bigint      not null
);

create table partition_snapshot_chunks (
    partition integer not null,
    chunk     integer not null,
    data      bytea   not null,
    primary key (partition, chunk)
);
