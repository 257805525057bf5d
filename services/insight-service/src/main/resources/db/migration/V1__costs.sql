-- Imported costs: what a channel (creator '') or a creator's content on a channel cost on a day.
-- Here rather than in a replica's analytical store, so that every replica weighs the same costs
-- against what its partitions' profiles brought (content and channel economics).
create table costs (
    tenant  text             not null,
    day     date             not null,
    channel text             not null,
    creator text             not null default '',
    cost    double precision not null check (cost >= 0),
    primary key (tenant, day, channel, creator)
);
