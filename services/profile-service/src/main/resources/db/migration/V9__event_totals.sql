-- Per tenant and event name: events and profiles with at least one, for the summaries across
-- profiles. Kept as deltas (each batch inserts one row per event name it saw; merges, unmerges and
-- deletions insert what they take away), summed when read and folded together now and then
-- (ProcessedEventJanitor), instead of a row per profile and event name upserted by every batch:
-- a profile's own counts are in its behaviour document.
create table event_totals (
    id          bigserial   primary key,
    tenant      text        not null,
    event_name  text        not null,
    events      bigint      not null,
    profiles    bigint      not null
);
create index event_totals_tenant_idx on event_totals (tenant, event_name);

insert into event_totals (tenant, event_name, events, profiles)
select tenant, event_name, sum(count), count(*) from profile_event_counts group by tenant, event_name;

drop table profile_event_counts;
