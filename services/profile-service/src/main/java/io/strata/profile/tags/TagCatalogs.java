package io.strata.profile.tags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.strata.profile.config.ProfileConfig;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Every tenant's catalog: the standard definitions (read once, checked at start: a bad standard
 * catalog stops the service) and the tenant's own from {@code tag_definitions}, cached for a short
 * while ({@code strata.profile.tags.catalog-ttl}; a change made on this replica is seen at once).
 */
@ApplicationScoped
public class TagCatalogs {

    private static final Logger LOG = Logger.getLogger(TagCatalogs.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String STANDARD = "tags/standard-catalog.json";

    private final Pool pool;
    private final List<TagDefinition> standard;
    private final Duration ttl;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(long loadedAt, Catalog catalog) {}

    public TagCatalogs(Pool pool, ProfileConfig config) {
        this.pool = pool;
        this.standard = standard();
        this.ttl = config.tags().catalogTtl();
    }

    /** The standard catalog, in order. */
    public static List<TagDefinition> standard() {
        try (InputStream in = TagCatalogs.class.getClassLoader().getResourceAsStream(STANDARD)) {
            if (in == null) {
                throw new IllegalStateException(STANDARD + " is missing");
            }
            JsonNode tags = JSON.readTree(in).get("tags");
            List<TagDefinition> definitions = new ArrayList<>();
            Set<String> earlier = new LinkedHashSet<>();
            for (int i = 0; i < tags.size(); i++) {
                TagDefinition d;
                try {
                    d = TagDefinition.parse(tags.get(i), Set.copyOf(earlier), true);
                } catch (InvalidTagException e) {
                    throw new IllegalStateException(
                            STANDARD + ": tag " + i + " ("
                                    + tags.get(i).path("key").asText() + "), " + e.field() + ": " + e.getMessage(),
                            e);
                }
                if (!earlier.add(d.key())) {
                    throw new IllegalStateException(STANDARD + ": key " + d.key() + " is defined twice");
                }
                definitions.add(d);
            }
            return List.copyOf(definitions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<TagDefinition> standardDefinitions() {
        return standard;
    }

    /** The tenant's catalog (cached). */
    public Uni<Catalog> get(String tenant) {
        Cached cached = cache.get(tenant);
        if (cached != null && System.nanoTime() - cached.loadedAt < ttl.toNanos()) {
            return Uni.createFrom().item(cached.catalog);
        }
        return load(pool, tenant).invoke(catalog -> cache.put(tenant, new Cached(System.nanoTime(), catalog)));
    }

    /** The tenant's catalog as {@code client} sees it (inside a transaction: what it wrote). */
    public Uni<Catalog> load(SqlClient client, String tenant) {
        return client.preparedQuery(
                        "select cast(definition as text) from tag_definitions where tenant = $1 order by created_at, key")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<TagDefinition> all = new ArrayList<>(standard);
                    Set<String> earlier = new LinkedHashSet<>();
                    standard.forEach(d -> earlier.add(d.key()));
                    for (Row row : rows) {
                        try {
                            TagDefinition d =
                                    TagDefinition.parse(JSON.readTree(row.getString(0)), Set.copyOf(earlier), false);
                            if (earlier.add(d.key())) {
                                all.add(d);
                            }
                        } catch (IOException | InvalidTagException e) {
                            // every stored definition was checked when it was written
                            LOG.errorf("tenant %s: a stored tag definition cannot be read: %s", tenant, e.getMessage());
                        }
                    }
                    return new Catalog(all);
                });
    }

    /** Forgets the tenant's cached catalog (after a change of its definitions). */
    public void invalidate(String tenant) {
        cache.remove(tenant);
    }
}
