-- Profile contents kept by event time, and the outbox of the change feed.
--
-- * trait_times: per trait, the time (epoch milliseconds) of the event that wrote it: last write
--   wins on the event's time. Traits stored before have none and yield to any event.
-- * behaviour: the behaviour aggregates (see io.strata.profile.domain.Behaviour), JSON. Filled here
--   from the per-name counts kept so far (without the daily buckets, which were not kept).
-- * profile_outbox: the change feed's records, written in the transaction of the change they
--   announce, all records of one write in one row (io.strata.profile.messaging.OutboxRecords); a
--   relay sends them to Kafka in id order and deletes the row once Kafka has them all.

alter table profiles add column trait_times jsonb not null default '{}'::jsonb;
alter table profiles add column behaviour jsonb not null default '{}'::jsonb;

update profiles p set behaviour = jsonb_build_object('events', c.events)
from (
    select tenant, profile_id,
           jsonb_object_agg(event_name, jsonb_build_object(
               'n', count,
               'first', (extract(epoch from first_at) * 1000)::bigint,
               'last', (extract(epoch from last_at) * 1000)::bigint)) as events
    from profile_event_counts
    group by tenant, profile_id
) c
where p.tenant = c.tenant and p.id = c.profile_id;

create table profile_outbox (
    id          bigserial   primary key,
    tenant      text        not null,
    records     integer     not null,
    payload     bytea       not null,
    created_at  timestamptz not null default now()
);
