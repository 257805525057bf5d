-- Journeys and their published versions. A version is immutable once published; running
-- instances stay on the version they started with.
create table journeys (
    tenant            text        not null,
    key               text        not null,
    name              text        not null,
    status            text        not null check (status in ('draft', 'published', 'paused', 'archived')),
    draft             json        not null,             -- the definition as last saved, as written
    live_version      int,                              -- the version new entries start on
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    updated_by        text        not null,
    primary key (tenant, key)
);

create table journey_versions (
    tenant            text        not null,
    key               text        not null,
    version           int         not null,
    definition        json        not null,             -- as written
    published_at      timestamptz not null default now(),
    published_by      text        not null,
    primary key (tenant, key, version)
);

-- What campaign-service knows of a person, copied from the profile change feed; one row per
-- profile with instances, locked (FOR UPDATE) by every step of its instances so that caps are
-- checked one send at a time per person.
create table recipients (
    tenant            text        not null,
    profile_id        text        not null,
    zone              text,
    deleted           boolean     not null default false,
    suppressed        boolean     not null default false,
    consents          jsonb       not null default '[]',
    traits            jsonb       not null default '{}',
    tags              jsonb       not null default '{}',
    audiences         text[]      not null default '{}',
    addresses         jsonb       not null default '{}',   -- channel → address (phone, email, openId…)
    quota             jsonb       not null default '{}',   -- template → one-time acceptances left
    version           bigint      not null default 0,      -- the profile version last applied
    updated_at        timestamptz not null default now(),
    primary key (tenant, profile_id)
);

-- A profile's run through one journey version. wake_at is its one timer (null when it waits for
-- nothing or has ended); due timers are claimed with FOR UPDATE SKIP LOCKED.
create table instances (
    id                uuid        primary key,
    tenant            text        not null,
    journey_key       text        not null,
    version           int         not null,
    profile_id        text        not null,
    iteration         int         not null,
    entry_key         text        not null,
    status            text        not null check (status in ('ACTIVE', 'COMPLETED', 'EXITED')),
    node              text        not null,
    entered_at        timestamptz not null,
    arrived_at        timestamptz not null,
    arm               text,
    assigned_at       timestamptz not null,
    wake_at           timestamptz,
    ended_at          timestamptz,
    end_reason        text,
    unique (tenant, journey_key, profile_id, entry_key)
);
create index instances_due on instances (wake_at) where wake_at is not null;
create index instances_profile on instances (tenant, profile_id) where status = 'ACTIVE';
create index instances_journey on instances (tenant, journey_key, version, node) where status = 'ACTIVE';

-- Every move of every instance: node counts per version, a profile's journey history, conversions.
-- A move is one row (from_node → node): entered at a node = entered + moved there; exited = moved
-- from it + ended at it.
create table journey_history (
    id                bigserial   primary key,
    tenant            text        not null,
    instance_id       uuid        not null,
    profile_id        text        not null,
    journey_key       text        not null,
    version           int         not null,
    node              text        not null,
    from_node         text,                   -- a move's node before
    kind              text        not null,   -- entered, moved, ended, queued, suppressed, deferred, assigned, tagged, converted
    arm               text,
    detail            text,
    at                timestamptz not null
);
create index journey_history_journey on journey_history (tenant, journey_key, version, node, kind);
create index journey_history_profile on journey_history (tenant, profile_id, at);

-- The send ledger: one row per message (its key unique) written in the transaction that moved the
-- instance, before any channel is called. Suppressed messages are rows too, with their reason.
create table send_ledger (
    send_key          text        primary key,
    tenant            text        not null,
    instance_id       uuid,
    profile_id        text        not null,
    journey_key       text,
    version           int,
    node              text,
    channel           text        not null,
    template          text        not null,
    sender            text        not null default '',
    marketing         boolean     not null,
    tags              text[]      not null default '{}',
    arm               text,
    status            text        not null check (status in ('queued', 'sent', 'failed', 'suppressed')),
    reason            text,
    detail            text,
    created_at        timestamptz not null,
    attempts          int         not null default 0,
    next_attempt_at   timestamptz,
    sent_at           timestamptz,
    provider_id       text
);
create index send_ledger_queue on send_ledger (next_attempt_at) where status = 'queued';
create index send_ledger_profile on send_ledger (tenant, profile_id, created_at) where status in ('queued', 'sent');
create index send_ledger_journey on send_ledger (tenant, journey_key, version, status);

-- The events journeys wait for, per profile (names some published journey reads), kept for the
-- longest window a journey waits.
create table profile_events (
    tenant            text        not null,
    profile_id        text        not null,
    name              text        not null,
    at                timestamptz not null,
    message_id        text        not null,
    properties        jsonb       not null default '{}',
    primary key (tenant, profile_id, name, at, message_id)
);

-- Tag updates a journey asked for, relayed to profile-service.
create table tag_updates (
    id                bigserial   primary key,
    tenant            text        not null,
    profile_id        text        not null,
    tag               text        not null,
    value             text,
    instance_id       uuid        not null,
    created_at        timestamptz not null default now()
);

-- The sandbox provider: what it delivered, once per idempotency key, and how often it was called.
create table sandbox_deliveries (
    send_key          text        primary key,
    tenant            text        not null,
    channel           text        not null,
    address           text,
    template          text        not null,
    delivered_at      timestamptz not null default now(),
    calls             int         not null default 1
);

-- The tenant's message templates and approved senders per channel, what journeys may name.
create table templates (
    tenant            text        not null,
    channel           text        not null,
    template          text        not null,
    body              text        not null,
    approved          boolean     not null,
    opt_out           boolean     not null,   -- carries an opt-out instruction (回T退订)
    primary key (tenant, channel, template)
);

create table senders (
    tenant            text        not null,
    channel           text        not null,
    sender            text        not null,
    primary key (tenant, channel, sender)
);

-- The tenant's send rules (quiet hours, do-not-disturb days, caps, global control share) as JSON.
create table send_policies (
    tenant            text        primary key,
    policy            jsonb       not null,
    updated_at        timestamptz not null default now()
);
