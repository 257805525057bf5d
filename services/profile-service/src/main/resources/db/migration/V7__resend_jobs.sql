-- Jobs over a tenant's profiles are of two kinds: a recompute of rule tags ('recompute'), and a
-- resend of every profile, whole, on the change feed ('resend', ProfileService.ResendProfiles).
alter table tag_jobs add column kind text not null default 'recompute';
alter table tag_jobs add column requested_by text;
