-- A profile's row is rewritten by every batch that touches it: its JSON documents are compressed
-- with lz4 (much cheaper in CPU than the default pglz, on the write path's hottest statement), and
-- its pages keep room for the new version of a row, so an update can stay on the page and skip the
-- indexes (a HOT update: no indexed column changes on a write).
alter table profiles alter column behaviour set compression lz4;
alter table profiles alter column tags set compression lz4;
alter table profiles alter column traits set compression lz4;
alter table profiles alter column trait_times set compression lz4;
alter table profiles alter column consents set compression lz4;
alter table profiles set (fillfactor = 80);
alter table profile_outbox alter column payload set compression lz4;
