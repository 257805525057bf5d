package io.strata.campaign.activation;

import static io.strata.campaign.repository.Db.instant;
import static io.strata.campaign.repository.Db.ts;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.campaign.repository.Db;
import io.strata.platform.errors.Errors;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The tenant's activation destinations: a webhook URL, the payload's format, the audiences it takes
 * (none named: every audience), on or off. A destination's secret is made when it is created and
 * shown in that answer only (and again when rotated). A replay queues again every transition kept
 * since a time, for a destination that lost data or was added later.
 */
@ApplicationScoped
public class ActivationService {

    private static final Set<String> FORMATS = Set.of("strata", "segment");

    /** A destination as saved: the secret only when it was just made. */
    public record Destination(
            String id,
            String name,
            String url,
            String format,
            List<String> audiences,
            boolean enabled,
            Optional<String> secret,
            Queue queue) {

        Destination withSecret(Optional<String> made) {
            return new Destination(id, name, url, format, audiences, enabled, made, queue);
        }
    }

    /** Its queue: waiting, delivered and failed deliveries, the oldest waiting, the last error. */
    public record Queue(
            long queued, long delivered, long failed, Optional<Instant> oldestQueued, Optional<String> lastError) {}

    public record Change(
            String id,
            String name,
            String url,
            String format,
            List<String> audiences,
            boolean enabled,
            boolean rotate) {}

    private final Db db;
    private final boolean allowPrivate;

    public ActivationService(Db db, io.strata.campaign.config.CampaignConfig config) {
        this.db = db;
        this.allowPrivate = config.activation().allowPrivateAddresses();
    }

    public Uni<Destination> set(String tenant, Change c, String by) {
        if (c.id() == null || !c.id().matches("[a-z0-9][a-z0-9_-]{0,63}")) {
            return fail("id", "1 to 64 lower-case letters, digits, '-' or '_'");
        }
        URI url;
        try {
            url = new URI(c.url());
        } catch (URISyntaxException e) {
            return fail("url", "not a URL: " + e.getReason());
        }
        if (!url.isAbsolute() || !Set.of("http", "https").contains(url.getScheme()) || url.getHost() == null) {
            return fail("url", "an absolute http or https URL");
        }
        var refused = Destinations.refusedHost(url.getHost(), allowPrivate);
        if (refused.isPresent()) {
            return fail("url", refused.get());
        }
        String format = c.format().isBlank() ? "strata" : c.format();
        if (!FORMATS.contains(format)) {
            return fail("format", "strata or segment");
        }
        for (String a : c.audiences()) {
            if (a.isBlank()) {
                return fail("audiences", "an audience id is empty");
            }
        }
        return blocking(() -> db.inTransaction(s -> {
            boolean exists = s.query(
                            "select 1 from destinations where tenant = $1 and id = $2 for update",
                            Tuple.of(tenant, c.id()))
                    .iterator()
                    .hasNext();
            Optional<String> secret = !exists || c.rotate() ? Optional.of(Signatures.newSecret()) : Optional.empty();
            s.query(
                    "insert into destinations (tenant, id, name, url, secret, format, audiences, enabled, updated_by)"
                            + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (tenant, id) do update set"
                            + " name = excluded.name, url = excluded.url, format = excluded.format,"
                            + " audiences = excluded.audiences, enabled = excluded.enabled, updated_by = excluded.updated_by,"
                            + " updated_at = now(), secret = case when $10 then excluded.secret else destinations.secret end",
                    Tuple.from(Arrays.asList(
                            tenant,
                            c.id(),
                            c.name().isBlank() ? c.id() : c.name(),
                            c.url(),
                            secret.orElse(""),
                            format,
                            c.audiences().stream().distinct().sorted().toArray(String[]::new),
                            c.enabled(),
                            by,
                            secret.isPresent())));
            return list(s, tenant, c.id()).get(0).withSecret(secret);
        }));
    }

    public Uni<List<Destination>> list(String tenant) {
        return blocking(() -> db.inTransaction(s -> list(s, tenant, null)));
    }

    public Uni<Boolean> delete(String tenant, String id) {
        return blocking(() -> db.inTransaction(
                s -> s.query("delete from destinations where tenant = $1 and id = $2", Tuple.of(tenant, id))
                                .rowCount()
                        > 0));
    }

    /** Queues again for the destination every kept transition of its audiences since {@code from}; how many. */
    public Uni<Long> replay(String tenant, String id, Instant from) {
        return blocking(() -> db.inTransaction(s -> {
            var dest = list(s, tenant, id);
            if (dest.isEmpty()) {
                throw Errors.notFound("no destination " + id);
            }
            return (long) s.query(
                            "insert into activation_deliveries (tenant, destination, transition_id, status)"
                                    + " select t.tenant, d.id, t.id, 'queued' from audience_transitions t join destinations d"
                                    + " on d.tenant = t.tenant and d.id = $2 where t.tenant = $1 and t.at >= $3"
                                    + " and (cardinality(d.audiences) = 0 or t.audience = any(d.audiences))"
                                    + " on conflict (tenant, destination, transition_id) do update set status = 'queued',"
                                    + " attempts = 0, next_attempt_at = now(), last_error = null, delivered_at = null",
                            Tuple.of(tenant, id, ts(from)))
                    .rowCount();
        }));
    }

    private static List<Destination> list(Db.Session s, String tenant, String id) {
        var out = new ArrayList<Destination>();
        for (Row row : s.query(
                "select d.*, q.queued, q.delivered, q.failed, q.oldest, q.last_error from destinations d"
                        + " left join lateral (select count(*) filter (where status = 'queued') as queued,"
                        + " count(*) filter (where status = 'delivered') as delivered,"
                        + " count(*) filter (where status = 'failed') as failed,"
                        + " min(t.at) filter (where status = 'queued') as oldest,"
                        + " (array_agg(a.last_error order by a.transition_id desc) filter (where a.last_error is not null))[1]"
                        + " as last_error from activation_deliveries a join audience_transitions t on t.id = a.transition_id"
                        + " where a.tenant = d.tenant and a.destination = d.id) q on true"
                        + " where d.tenant = $1 and ($2::text is null or d.id = $2) order by d.id",
                Tuple.of(tenant, id))) {
            out.add(new Destination(
                    row.getString("id"),
                    row.getString("name"),
                    row.getString("url"),
                    row.getString("format"),
                    List.of(row.getArrayOfStrings("audiences")),
                    row.getBoolean("enabled"),
                    Optional.empty(),
                    new Queue(
                            row.getLong("queued"),
                            row.getLong("delivered"),
                            row.getLong("failed"),
                            Optional.ofNullable(instant(row, "oldest")),
                            Optional.ofNullable(row.getString("last_error")))));
        }
        return out;
    }

    private static <T> Uni<T> fail(String field, String message) {
        return Uni.createFrom().failure(Errors.invalid(field, message));
    }

    private static <T> Uni<T> blocking(java.util.function.Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
