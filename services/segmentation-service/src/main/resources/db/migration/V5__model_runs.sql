-- Each run of a tenant's models (docs/models.md): what it looked at, with which settings, how long
-- it took and what it found. At most one run of a tenant is running at a time.
create table model_runs (
    id               uuid        primary key,
    tenant           text        not null,
    status           text        not null check (status in ('running', 'done', 'failed')),
    trigger          text        not null check (trigger in ('manual', 'scheduled')),
    as_of            timestamptz not null,
    inputs_from      timestamptz not null,
    settings_version bigint      not null,
    started_at       timestamptz not null default now(),
    finished_at      timestamptz,
    profiles         bigint,
    counts           jsonb,
    tags_changed     bigint,
    clv              jsonb,
    error            text,
    created_by       text        not null
);
create unique index model_runs_one_running on model_runs (tenant) where status = 'running';
create index model_runs_by_tenant on model_runs (tenant, started_at desc);
