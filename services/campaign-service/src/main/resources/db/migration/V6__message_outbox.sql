-- strata.messages.v1 through the platform's outbox: one row per transaction that changed messages
-- (their records encoded together), sent in order and deleted once Kafka has them.
create table message_outbox (
    id          bigserial   primary key,
    records     integer     not null,
    payload     bytea       not null,
    created_at  timestamptz not null default now()
);
