-- Tags, consent, deletion requests and suppression.
--
-- * profiles.tags: the profile's tag values, JSON {key: {"v": value, "s": source, "t": epoch ms}}
--   (io.strata.profile.tags.ProfileTags); rule tags are computed with every write of the profile.
-- * profiles.consents: consent per channel, purpose and sender, JSON {"channel|purpose|sender":
--   {"g": granted, "s": source, "t": epoch ms}} (io.strata.profile.consent.Consents).
-- * tag_definitions: a tenant's own tags, beside the standard catalog every tenant has.
-- * tag_jobs: recomputations of a tenant's rule tags over all its profiles, resumable page by page.
-- * deletion_requests: every request to forget a person, with who asked, when, and when it
--   completed; it keeps no personal data (the identifier only as a hash).
-- * suppressions: identifiers of deleted people (SHA-256 of type and normalised value); events
--   carrying one are dropped and counted.

alter table profiles add column tags jsonb not null default '{}'::jsonb;
alter table profiles add column consents jsonb not null default '{}'::jsonb;

create table tag_definitions (
    tenant       text        not null,
    key          text        not null,
    definition   jsonb       not null,
    created_by   text        not null,
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    primary key (tenant, key)
);

create table tag_jobs (
    id           uuid        primary key,
    tenant       text        not null,
    reason       text        not null,
    status       text        not null,
    cursor_id    uuid,
    profiles     bigint      not null default 0,
    changed      bigint      not null default 0,
    created_at   timestamptz not null,
    heartbeat_at timestamptz not null,
    finished_at  timestamptz
);
create index tag_jobs_open_idx on tag_jobs (status, heartbeat_at) where status <> 'done';

create table deletion_requests (
    id             uuid        primary key,
    tenant         text        not null,
    identity_type  text,
    identity_hash  text,
    profile_id     uuid,
    reason         text        not null default '',
    requested_by   text        not null,
    requested_at   timestamptz not null,
    status         text        not null,
    completed_at   timestamptz,
    profiles       integer     not null default 0,
    identifiers    integer     not null default 0,
    events         bigint      not null default 0
);
create index deletion_requests_tenant_idx on deletion_requests (tenant, requested_at desc);

create table suppressions (
    tenant      text        not null,
    hash        text        not null,
    type        text        not null,
    request_id  uuid        not null,
    created_at  timestamptz not null,
    primary key (tenant, hash)
);
