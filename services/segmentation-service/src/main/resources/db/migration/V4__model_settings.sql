-- A tenant's model settings (docs/models.md), one row per version; the highest version is in
-- force. Every setting is written out, defaults included, so a version says exactly what ran.
create table model_settings (
    tenant     text        not null,
    version    bigint      not null,
    settings   jsonb       not null,
    created_at timestamptz not null default now(),
    created_by text        not null,
    primary key (tenant, version)
);
