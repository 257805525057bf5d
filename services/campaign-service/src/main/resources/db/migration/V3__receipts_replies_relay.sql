-- Delivery receipts from the providers: whether a message handed over reached the person.
alter table send_ledger
    add column receipt        text check (receipt in ('delivered', 'undelivered')),
    add column receipt_at     timestamptz,
    add column receipt_detail text;
create index send_ledger_provider on send_ledger (tenant, provider_id) where provider_id is not null;

-- Recipients found by an address (a reply comes from a phone number).
create index recipients_addresses on recipients using gin (addresses jsonb_path_ops);

-- Replies people sent to messages, and what they did (an SMS T/TD/R/退订 opts out of the sender).
create table replies (
    id                bigserial   primary key,
    tenant            text        not null,
    channel           text        not null,
    address           text        not null,
    sender            text        not null,
    text              text        not null,
    at                timestamptz not null,
    message_id        text        not null,
    profile_ids       text[]      not null default '{}',
    action            text        not null,   -- opted_out, none, unknown_address
    unique (tenant, channel, message_id)
);
create index replies_profiles on replies using gin (profile_ids);

-- Consent statements (the opt-outs replied) relayed to profile-service, which owns consent; the
-- recipient's copy here changes at once, in the transaction that records the reply.
create table consent_updates (
    id                bigserial   primary key,
    tenant            text        not null,
    profile_id        text        not null,
    channel           text        not null,
    purpose           text        not null,
    sender            text        not null,
    granted           boolean     not null,
    source            text        not null,
    at                timestamptz not null,
    refused           text,                    -- why profile-service refused it (kept, not retried)
    created_at        timestamptz not null default now()
);
create index consent_updates_profile on consent_updates (tenant, profile_id);

-- Tag updates profile-service refused (an unknown tag, a value outside its kind) stay with the reason.
alter table tag_updates add column refused text;
create index tag_updates_profile on tag_updates (tenant, profile_id);
