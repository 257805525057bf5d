-- Identity rules per tenant, merge history, refused merges, and the log of applied events that
-- an unmerge replays.
--
-- * identity_rules: a tenant's priority, per-type limits and blocked values (io.strata.profile.domain.IdentityRules);
--   no row: the defaults (the fixed priority, one user id per profile).
-- * profile_merge_history: every merge, with the identifiers the merged profile brought and the
--   version of its last change record; an unmerge marks it undone (profile_merges only keeps the
--   merges in force, for resolving old ids).
-- * identity_refusals: merges and identifiers a limit refused, one row per profile and identifier
--   (how often, first and last time).
-- * profile_event_log: every applied event (its bytes as ingestion accepted it), under the profile it
--   was applied to at the time; the profiles merged since are found through the merge history.

create table identity_rules (
    tenant      text        primary key,
    rules       jsonb       not null,
    version     bigint      not null,
    updated_at  timestamptz not null,
    updated_by  text        not null
);

create table profile_merge_history (
    id              bigserial   primary key,
    tenant          text        not null,
    merged_id       uuid        not null,
    into_id         uuid        not null,
    merged_version  bigint      not null,
    identities      jsonb       not null,
    merged_at       timestamptz not null,
    unmerged_at     timestamptz,
    unmerged_by     text
);
create index profile_merge_history_into_idx on profile_merge_history (tenant, into_id);
create index profile_merge_history_merged_idx on profile_merge_history (tenant, merged_id);

create table identity_refusals (
    tenant            text        not null,
    profile_id        uuid        not null,
    type              text        not null,
    value             text        not null,
    other_profile_id  uuid,
    reason            text        not null,
    times             bigint      not null,
    first_at          timestamptz not null,
    last_at           timestamptz not null,
    primary key (tenant, profile_id, type, value)
);
create index identity_refusals_other_idx on identity_refusals (tenant, other_profile_id);

create table profile_event_log (
    tenant      text        not null,
    profile_id  uuid        not null,
    seq         bigint      generated always as identity (cache 1000),
    event_at    timestamptz not null,
    applied_at  timestamptz not null,
    payload     bytea       not null
);
create index profile_event_log_profile_idx on profile_event_log (tenant, profile_id, seq);
