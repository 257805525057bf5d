-- Broadcasts: a published version of a journey whose trigger is a broadcast starts everyone in the
-- audience at its time, page by page (the cursor is the last profile started); a replica holds a
-- run under a lease, and another takes it over when the lease runs out (entries are keyed, so a
-- page done twice starts nobody twice).
create table broadcast_runs (
    tenant            text        not null,
    journey_key       text        not null,
    version           int         not null,
    audience          text        not null,
    scheduled_at      timestamptz not null,
    status            text        not null check (status in ('scheduled', 'running', 'done', 'cancelled')),
    cursor            text        not null default '',
    started           int         not null default 0,   -- instances started
    members           int         not null default 0,   -- members looked at
    lease_until       timestamptz,
    started_at        timestamptz,
    finished_at       timestamptz,
    primary key (tenant, journey_key, version)
);
create index broadcast_runs_due on broadcast_runs (scheduled_at) where status in ('scheduled', 'running');

-- An audience's members as campaign-service knows them (the broadcast's and the preview's scan).
create index recipients_audiences on recipients using gin (audiences);
