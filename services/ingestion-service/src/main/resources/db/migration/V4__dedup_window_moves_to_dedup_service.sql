-- The dedup window is kept by dedup-service (a RocksDB window store behind the incoming topic,
-- with a changelog topic), off the request path: ingestion no longer reads or writes it here.
drop table if exists message_ids;
