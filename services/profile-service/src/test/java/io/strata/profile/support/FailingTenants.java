package io.strata.profile.support;

import io.vertx.mutiny.sqlclient.Pool;

/**
 * A trigger in the test database that makes the database refuse chosen tenants' events, so the
 * consumer's failure paths run against the real database. Tenants named {@code fail-always-...} fail
 * every time (a transient error, as if the database were away); {@code fail-twice-<seq>-...} fail the
 * first two attempts of a batch (the sequence {@code <seq>} counts them: sequences ignore rollbacks);
 * an event whose messageId starts with {@code poison-} is refused as bad data, whatever the attempt.
 */
public final class FailingTenants {

    private FailingTenants() {}

    public static void install(Pool pool) {
        pool.query("""
                create or replace function test_failing_tenants() returns trigger language plpgsql as $$
                begin
                    if new.tenant like 'fail-always-%' then
                        raise exception 'the test fails every batch of %', new.tenant using errcode = 'P0001';
                    end if;
                    if new.tenant like 'fail-twice-%'
                            and nextval(split_part(new.tenant, '-', 3)::regclass) <= 2 then
                        raise exception 'the test fails this attempt of %', new.tenant using errcode = 'P0001';
                    end if;
                    if new.message_id like 'poison-%' then
                        raise exception 'the test refuses %', new.message_id using errcode = '22023';
                    end if;
                    return new;
                end $$""").execute().await().indefinitely();
        pool.query("""
                do $$ begin
                    if not exists (select from pg_trigger where tgname = 'test_failing_tenants') then
                        create trigger test_failing_tenants before insert on processed_events
                            for each row when (new.tenant like 'fail-%' or new.message_id like 'poison-%')
                            execute function test_failing_tenants();
                    end if;
                end $$""").execute().await().indefinitely();
    }

    /** A tenant whose batches fail twice, then apply. */
    public static String failingTwice(Pool pool) {
        String sequence = "fail_"
                + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pool.query("create sequence " + sequence).execute().await().indefinitely();
        return "fail-twice-" + sequence + "-tenant";
    }
}
