-- Unified consumer profiles. Every row carries its tenant.

create table profiles (
    id          uuid        primary key,
    tenant      text        not null,
    traits      jsonb       not null default '{}'::jsonb,
    first_seen  timestamptz,
    last_seen   timestamptz,
    created_at  timestamptz not null,
    updated_at  timestamptz not null
);
create index profiles_tenant_idx on profiles (tenant, created_at);

-- The identity graph: every identifier maps to exactly one profile of its tenant.
create table profile_identities (
    id          bigserial   primary key,
    tenant      text        not null,
    type        text        not null,
    value       text        not null,
    profile_id  uuid        not null references profiles (id) on delete cascade,
    created_at  timestamptz not null,
    constraint profile_identities_key unique (tenant, type, value)
);
create index profile_identities_profile_idx on profile_identities (profile_id);

-- Behaviour aggregates: events per name, with the first and last time seen.
create table profile_event_counts (
    id          bigserial   primary key,
    tenant      text        not null,
    profile_id  uuid        not null references profiles (id) on delete cascade,
    event_name  text        not null,
    count       bigint      not null,
    first_at    timestamptz not null,
    last_at     timestamptz not null,
    constraint profile_event_counts_key unique (profile_id, event_name)
);

-- Profiles merged away, so an old id still finds the surviving profile.
create table profile_merges (
    tenant      text        not null,
    merged_id   uuid        primary key,
    into_id     uuid        not null,
    merged_at   timestamptz not null
);
create index profile_merges_into_idx on profile_merges (into_id);

-- Dedup keys stored with the effect: an event redelivered by Kafka is applied once.
create table processed_events (
    tenant        text        not null,
    source_id     text        not null,
    message_id    text        not null,
    processed_at  timestamptz not null,
    primary key (tenant, source_id, message_id)
);
create index processed_events_age_idx on processed_events (processed_at);
