-- Sources (an app, a store system, an import) and their write keys. Keys are kept only as
-- SHA-256 hashes: a key is shown once, when it is created.
create table sources (
    id              uuid        primary key,
    tenant          text        not null,
    name            text        not null,
    write_key_hash  text        not null,
    created_at      timestamptz not null,
    revoked_at      timestamptz,
    constraint sources_name_key unique (tenant, name),
    constraint sources_write_key_key unique (write_key_hash)
);
