package io.strata.insight.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Imported costs in the service's database, which every replica reads alike (a replica's analytical
 * store holds only its partitions' events), on the reactive client.
 */
@ApplicationScoped
public class CostRepository {

    /** What a channel (or a creator's content on it: creator not empty) cost on a day. */
    public record Cost(LocalDate day, String channel, String creator, double cost) {}

    /** A period's costs summed per channel (every row of it) and per creator (their rows). */
    public record Spend(Map<String, Double> channels, Map<String, Double> creators) {}

    private static final String UPSERT = "insert into costs (tenant, day, channel, creator, cost)"
            + " select $1, * from unnest($2::date[], $3::text[], $4::text[], $5::float8[])"
            + " on conflict (tenant, day, channel, creator) do ";

    private final Pool pool;

    public CostRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores the rows in one statement, so all or none (a row replaces what the same day, channel
     * and creator held; of rows repeating one within the import, the last). Returns the tenant's
     * rows now held.
     */
    public Uni<Long> importCosts(String tenant, List<Cost> rows) {
        return pool.withTransaction(c -> c.preparedQuery(UPSERT + "update set cost = excluded.cost")
                .execute(arrays(tenant, last(rows)))
                .chain(() -> c.preparedQuery("select count(*) from costs where tenant = $1")
                        .execute(Tuple.of(tenant)))
                .map(count -> count.iterator().next().getLong(0)));
    }

    /**
     * Rows a store kept before costs moved here, taken where this database has none for the same
     * day, channel and creator (an import since is newer). Returns the rows taken.
     */
    public Uni<Integer> adopt(Map<String, List<Cost>> rowsByTenant) {
        return pool.withTransaction(c -> {
            Uni<Integer> taken = Uni.createFrom().item(0);
            for (var tenant : rowsByTenant.entrySet()) {
                taken = taken.chain(sum -> c.preparedQuery(UPSERT + "nothing")
                        .execute(arrays(tenant.getKey(), last(tenant.getValue())))
                        .map(result -> sum + result.rowCount()));
            }
            return taken;
        });
    }

    /** The costs of the days in [from, to). */
    public Uni<Spend> spend(String tenant, LocalDate from, LocalDate to) {
        return pool.preparedQuery("select channel, creator, sum(cost) from costs"
                        + " where tenant = $1 and day >= $2 and day < $3 group by channel, creator")
                .execute(Tuple.of(tenant, from, to))
                .map(rows -> {
                    Map<String, Double> channels = new TreeMap<>();
                    Map<String, Double> creators = new TreeMap<>();
                    for (Row row : rows) {
                        double cost = row.getDouble(2);
                        channels.merge(row.getString(0), cost, Double::sum);
                        if (!row.getString(1).isEmpty()) {
                            creators.merge(row.getString(1), cost, Double::sum);
                        }
                    }
                    return new Spend(channels, creators);
                });
    }

    /** The rows with the last of each day, channel and creator (one statement may touch a key once). */
    private static List<Cost> last(List<Cost> rows) {
        Map<List<Object>, Cost> out = new LinkedHashMap<>();
        for (Cost row : rows) {
            List<Object> key = List.of(row.day(), row.channel(), row.creator());
            out.remove(key);
            out.put(key, row);
        }
        return new ArrayList<>(out.values());
    }

    private static Tuple arrays(String tenant, List<Cost> rows) {
        LocalDate[] days = new LocalDate[rows.size()];
        String[] channels = new String[rows.size()];
        String[] creators = new String[rows.size()];
        Double[] costs = new Double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Cost row = rows.get(i);
            days[i] = row.day();
            channels[i] = row.channel();
            creators[i] = row.creator();
            costs[i] = row.cost();
        }
        return Tuple.tuple(List.of(tenant, days, channels, creators, costs));
    }
}
