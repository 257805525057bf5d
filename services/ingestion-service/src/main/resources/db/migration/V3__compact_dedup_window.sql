-- The dedup window holds one row per published event for 24 h: tens of thousands of inserts a
-- second at full rate. Two changes make that cheap enough:
--  * the key is a 128-bit digest of the messageId (uuid, 16 bytes) instead of the text;
--  * the table is unlogged: no WAL. It survives restarts of the service and clean restarts of
--    PostgreSQL; after a PostgreSQL crash it is empty, and an event resent within the window may
--    then be published twice, which consumers absorb (they are idempotent on messageId).
drop table message_ids;

create unlogged table message_ids (
    source_id    uuid        not null,
    message_key  uuid        not null,
    seen_at      timestamptz not null,
    primary key (source_id, message_key)
);
create index message_ids_seen_idx on message_ids (seen_at);
