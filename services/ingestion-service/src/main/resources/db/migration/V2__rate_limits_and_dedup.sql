-- A source may have its own rate limit (events per second); null means the service default.
alter table sources add column rate_limit_per_second integer
    check (rate_limit_per_second is null or rate_limit_per_second > 0);

-- The dedup window: messageIds published per source, so a resent event is acknowledged
-- without being published again. Rows older than the window are purged.
create table message_ids (
    source_id   uuid        not null,
    message_id  text        not null,
    seen_at     timestamptz not null,
    primary key (source_id, message_id)
);
create index message_ids_seen_idx on message_ids (seen_at);
