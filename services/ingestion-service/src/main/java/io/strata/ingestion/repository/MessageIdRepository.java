package io.strata.ingestion.repository;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The dedup window in PostgreSQL, so it survives restarts and is shared by every replica. One
 * statement per request whatever its size (arrays), on the reactive client directly.
 */
@ApplicationScoped
public class MessageIdRepository {

    private final Pool pool;

    public MessageIdRepository(Pool pool) {
        this.pool = pool;
    }

    /** Which of the ids the source published since {@code since}. */
    public Uni<Set<String>> seen(UUID source, Collection<String> messageIds, Instant since) {
        if (messageIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        Map<UUID, String> byKey = new HashMap<>();
        for (String id : messageIds) {
            byKey.put(key(id), id);
        }
        return pool.preparedQuery("""
                select message_key from message_ids
                where source_id = $1 and message_key = any($2) and seen_at >= $3""")
                .execute(Tuple.of(source, byKey.keySet().toArray(UUID[]::new), utc(since)))
                .map(rows -> {
                    Set<String> seen = new HashSet<>();
                    for (Row row : rows) {
                        seen.add(byKey.get(row.getUUID(0)));
                    }
                    return seen;
                });
    }

    public Uni<Void> remember(UUID source, Collection<String> messageIds, Instant at) {
        if (messageIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("""
                insert into message_ids (source_id, message_key, seen_at)
                select $1, k, $3 from unnest($2::uuid[]) as k
                on conflict (source_id, message_key) do update set seen_at = excluded.seen_at""")
                .execute(Tuple.of(source, messageIds.stream().map(MessageIdRepository::key).toArray(UUID[]::new),
                        utc(at)))
                .replaceWithVoid();
    }

    /** A 128-bit digest of the messageId (name-based UUID): compact and fast to index. */
    static UUID key(String messageId) {
        return UUID.nameUUIDFromBytes(messageId.getBytes(StandardCharsets.UTF_8));
    }

    public Uni<Integer> forgetBefore(Instant before) {
        return pool.preparedQuery("delete from message_ids where seen_at < $1")
                .execute(Tuple.of(utc(before)))
                .map(rows -> rows.rowCount());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
