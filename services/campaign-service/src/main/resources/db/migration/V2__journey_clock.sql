-- A tenant's journey clock held at an instant (replaying history, a demo brand). Without a row the
-- tenant's journeys run on the wall clock. Timers fire up to the held instant, each at its own due
-- time; audience entries made later happen at the held instant.
create table journey_clocks (
    tenant            text        primary key,
    held_at           timestamptz not null,
    updated_at        timestamptz not null default now()
);
