package io.strata.segmentation.repository;

import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** The versions of each tenant's model settings, on the reactive client. */
@ApplicationScoped
public class ModelSettingsRepository {

    /** One stored version: every setting as JSON. */
    public record Stored(long version, String settings, Instant createdAt, String createdBy) {}

    private static final String COLUMNS = "version, settings::text, created_at, created_by";

    private final Pool pool;

    public ModelSettingsRepository(Pool pool) {
        this.pool = pool;
    }

    /** The version in force, or null when the tenant never set any. */
    public Uni<Stored> latest(String tenant) {
        return pool.preparedQuery("select " + COLUMNS + " from model_settings where tenant = $1"
                        + " order by version desc limit 1")
                .execute(Tuple.of(tenant))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    /** Every version, newest first. */
    public Uni<List<Stored>> versions(String tenant) {
        return pool.preparedQuery("select " + COLUMNS + " from model_settings where tenant = $1 order by version desc")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<Stored> out = new ArrayList<>();
                    rows.forEach(row -> out.add(stored(row)));
                    return out;
                });
    }

    /**
     * A new version after the current one; FAILED_PRECONDITION when {@code expectedVersion} (not 0)
     * is not the current version, or another version was stored at the same instant.
     */
    public Uni<Stored> insert(String tenant, String settings, long expectedVersion, String by) {
        return pool.preparedQuery("insert into model_settings (tenant, version, settings, created_by)"
                        + " select $1, coalesce(max(version), 0) + 1, cast($2::text as jsonb), $3"
                        + " from model_settings where tenant = $1"
                        + " having $4::bigint = 0 or coalesce(max(version), 0) = $4::bigint"
                        + " on conflict do nothing returning " + COLUMNS)
                .execute(Tuple.of(tenant, settings, by, expectedVersion))
                .chain(rows -> {
                    if (rows.size() > 0) {
                        return Uni.createFrom().item(stored(rows.iterator().next()));
                    }
                    return latest(tenant).map(current -> {
                        long version = current == null ? 0 : current.version();
                        throw Errors.precondition(
                                expectedVersion != 0 && version != expectedVersion
                                        ? "the model settings are at version " + version
                                                + ", the change was made on version " + expectedVersion
                                        : "the model settings changed at the same instant; send the change again");
                    });
                });
    }

    private static Stored stored(Row row) {
        OffsetDateTime at = row.getOffsetDateTime(2);
        return new Stored(row.getLong(0), row.getString(1), at.toInstant(), row.getString(3));
    }
}
