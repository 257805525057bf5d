-- segmentation-service's data: audiences and their versions, what each partition's owner emitted,
-- and where it is in the feed.
--
-- * segments: one row per audience with its current version; seq grows with every change of any
--   audience (replicas follow it to learn of new versions).
-- * segment_versions: every version's definition, kept.
-- * segment_members: the members as emitted on strata.segment-membership.v1 (a partition's owner
--   restores its audiences from them); written in the transaction of the records announcing them.
-- * partition_segments: per partition, the version of each audience its members were evaluated with.
-- * feed_offsets: per feed topic and partition, the next offset to apply (written with the members).
-- * membership_outbox: the membership records of committed writes, relayed to Kafka
--   (io.strata.platform.outbox).
-- * trait_types: a tenant's traits, typed as first seen on the feed.

create sequence segment_changes;

create table segments (
    tenant                  text        not null,
    id                      text        not null,
    name                    text        not null,
    description             text        not null default '',
    kind                    text        not null check (kind in ('rule', 'static')),
    state                   text        not null check (state in ('draft', 'active', 'archived')),
    version                 bigint      not null,
    definition              jsonb,
    created_at              timestamptz not null,
    updated_at              timestamptz not null,
    updated_by              text        not null,
    seq                     bigint      not null default nextval('segment_changes'),
    last_change_at          timestamptz,
    last_full_evaluation_at timestamptz,
    primary key (tenant, id)
);
create index segments_seq on segments (seq);

create table segment_versions (
    tenant      text        not null,
    id          text        not null,
    version     bigint      not null,
    definition  jsonb,
    created_at  timestamptz not null,
    created_by  text        not null,
    primary key (tenant, id, version)
);

create table segment_members (
    tenant      text    not null,
    segment_id  text    not null,
    profile_id  text    not null,
    partition   integer not null,
    primary key (tenant, segment_id, profile_id)
);
create index segment_members_partition on segment_members (partition);

create table partition_segments (
    partition   integer not null,
    tenant      text    not null,
    segment_id  text    not null,
    version     bigint  not null,
    primary key (partition, tenant, segment_id)
);

create table feed_offsets (
    topic       text    not null,
    partition   integer not null,
    next_offset bigint  not null,
    primary key (topic, partition)
);

create table membership_outbox (
    id          bigserial primary key,
    payload     bytea   not null,
    records     integer not null
);

create table trait_types (
    tenant  text not null,
    name    text not null,
    type    text not null,
    primary key (tenant, name)
);
