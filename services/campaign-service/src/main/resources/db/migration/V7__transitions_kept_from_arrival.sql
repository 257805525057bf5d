-- Transitions are forgotten after the retention counted from when they arrived (a backfill's old
-- transitions stay their time), and never while a destination still waits to deliver them.
alter table audience_transitions add column created_at timestamptz not null default now();
create index audience_transitions_created on audience_transitions (created_at);
