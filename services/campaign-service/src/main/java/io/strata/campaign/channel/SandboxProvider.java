package io.strata.campaign.channel;

import io.strata.campaign.repository.Db;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * A provider that delivers nothing but records what it was given, once per idempotency key, and
 * counts how often each key was handed over: the local stack's and the tests' channel, and the
 * yardstick of exactly-once (a key delivered twice would be a duplicate). It writes in its own
 * transaction, as a remote provider would, so a crash of the dispatcher after the call and before
 * its commit leaves the delivery recorded and the ledger row queued.
 */
public final class SandboxProvider implements ChannelAdapter {

    private final Db db;

    public SandboxProvider(Db db) {
        this.db = db;
    }

    @Override
    public List<Result> send(List<Message> messages) {
        var rows = new ArrayList<Tuple>();
        var results = new ArrayList<Result>();
        for (Message m : messages) {
            if (m.address().isEmpty()) {
                results.add(new Result.Rejected("no " + m.channel() + " address"));
                continue;
            }
            rows.add(Tuple.of(m.sendKey(), m.tenant(), m.channel(), m.address().get(), m.template()));
            results.add(new Result.Accepted("sandbox-" + m.sendKey()));
        }
        if (!rows.isEmpty()) {
            db.inTransaction(s -> {
                s.batch(
                        "insert into sandbox_deliveries (send_key, tenant, channel, address, template) values ($1, $2, $3,"
                                + " $4, $5) on conflict (send_key) do update set calls = sandbox_deliveries.calls + 1",
                        rows);
                return null;
            });
        }
        return results;
    }
}
