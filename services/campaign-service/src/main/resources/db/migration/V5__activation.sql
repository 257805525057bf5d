-- Audience activation: every membership transition is kept (for replays) for the retention period,
-- and each destination that takes the audience gets a delivery row, its own queue: delivered in
-- transition order, retried with back-off, a failing destination holding up only itself.
create table destinations (
    tenant            text        not null,
    id                text        not null,
    name              text        not null,
    url               text        not null,
    secret            text        not null,              -- signs each delivery (HMAC-SHA256)
    format            text        not null check (format in ('strata', 'segment')),
    audiences         text[]      not null default '{}', -- empty: every audience
    enabled           boolean     not null default true,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    updated_by        text        not null,
    primary key (tenant, id)
);

create table audience_transitions (
    id                bigserial   primary key,
    tenant            text        not null,
    audience          text        not null,
    profile_id        text        not null,
    entered           boolean     not null,
    at                timestamptz not null,
    entry_key         text        not null,
    unique (tenant, audience, profile_id, entry_key, entered)
);
create index audience_transitions_at on audience_transitions (tenant, at);
create index audience_transitions_profile on audience_transitions (tenant, profile_id);

create table activation_deliveries (
    tenant            text        not null,
    destination       text        not null,
    transition_id     bigint      not null references audience_transitions (id) on delete cascade,
    status            text        not null check (status in ('queued', 'delivered', 'failed')),
    attempts          int         not null default 0,
    next_attempt_at   timestamptz not null default now(),
    last_error        text,
    delivered_at      timestamptz,
    primary key (tenant, destination, transition_id),
    foreign key (tenant, destination) references destinations (tenant, id) on delete cascade
);
create index activation_deliveries_queue on activation_deliveries (tenant, destination, transition_id)
    where status = 'queued';
create index activation_deliveries_transition on activation_deliveries (transition_id);
