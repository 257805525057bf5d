-- Every key carries the tenant, and writers under concurrency detect what changed under them.
--
-- * Profiles are keyed (tenant, id); identifiers, counts and merges reference them by both.
-- * A profile's version grows with every write to it: a batch that resolved its events against an
--   older version of a profile finds out when it writes (nothing is updated) and starts again
--   against what was committed meanwhile.
-- * References to profiles no longer cascade on delete: a merge moves what the merged profile owns
--   before deleting it, and a row another writer added to it meanwhile makes the delete fail
--   (and the merge start again) instead of being deleted with it.

alter table profiles add column version bigint not null default 0;

alter table profile_identities drop constraint profile_identities_profile_id_fkey;
alter table profile_event_counts drop constraint profile_event_counts_profile_id_fkey;
alter table profiles drop constraint profiles_pkey;
alter table profiles add constraint profiles_pkey primary key (tenant, id);

drop index profile_identities_profile_idx;
create index profile_identities_profile_idx on profile_identities (tenant, profile_id);
alter table profile_identities add constraint profile_identities_profile_fkey
    foreign key (tenant, profile_id) references profiles (tenant, id);

alter table profile_event_counts drop constraint profile_event_counts_key;
alter table profile_event_counts drop constraint profile_event_counts_pkey;
alter table profile_event_counts drop column id;
alter table profile_event_counts add constraint profile_event_counts_pkey
    primary key (tenant, profile_id, event_name);
alter table profile_event_counts add constraint profile_event_counts_profile_fkey
    foreign key (tenant, profile_id) references profiles (tenant, id);

alter table profile_merges drop constraint profile_merges_pkey;
alter table profile_merges add constraint profile_merges_pkey primary key (tenant, merged_id);
drop index profile_merges_into_idx;
create index profile_merges_into_idx on profile_merges (tenant, into_id);
