-- An audience's size per day of the service's zone: the last size recorded that day (the feed
-- loop records every active audience's size from segment_members at most every
-- strata.segmentation.size-history-every). Any replica may record: the members of every
-- partition are here, and the same size written twice is the same row.
create table segment_sizes (
    tenant      text        not null,
    segment_id  text        not null,
    day         date        not null,
    size        bigint      not null,
    recorded_at timestamptz not null,
    primary key (tenant, segment_id, day)
);
