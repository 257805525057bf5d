-- How many identifiers of each type a profile has, kept on the profile's row: rules that count
-- identifiers (io.strata.profile.tags) read it with the profile instead of its identifier rows, which
-- lie on pages of their own. Written with the profile's contents whenever it gains identifiers.

alter table profiles add column identity_counts jsonb not null default '{}'::jsonb;

update profiles p set identity_counts = c.counts
from (
    select tenant, profile_id, jsonb_object_agg(type, n) as counts
    from (select tenant, profile_id, type, count(*) as n
          from profile_identities group by tenant, profile_id, type) t
    group by tenant, profile_id
) c
where p.tenant = c.tenant and p.id = c.profile_id;
