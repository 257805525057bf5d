package io.strata.profile.service;

import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.IdentifierNormalizer;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.mapping.ProfileMapper;
import io.strata.proto.profile.v1.ProfileRef;
import io.strata.proto.profile.v1.RefusedRow;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The profiles the rows of a bulk call are about: by id (an id merged away finds the survivor) or
 * by identifier (normalised as events' identifiers are). Rows that name none are refused.
 */
@ApplicationScoped
public class ProfileRefs {

    /** A row's reference, checked: an id or an identifier. */
    public record Ref(UUID id, IdentityKey identity) {}

    /**
     * Checks a row's reference.
     *
     * @return the reference, or null after adding the refusal to {@code refused}
     */
    public static Ref check(int row, ProfileRef ref, String field, List<RefusedRow> refused) {
        switch (ref.getRefCase()) {
            case PROFILE_ID -> {
                try {
                    return new Ref(UUID.fromString(ref.getProfileId()), null);
                } catch (IllegalArgumentException e) {
                    refused.add(refusal(row, field + ".profile_id", "profile_id must be a UUID"));
                    return null;
                }
            }
            case IDENTITY -> {
                IdentityType type;
                try {
                    type = ProfileMapper.fromProto(ref.getIdentity().getType());
                } catch (IllegalArgumentException e) {
                    refused.add(refusal(row, field + ".identity.type", e.getMessage()));
                    return null;
                }
                IdentityKey key = IdentifierNormalizer.normalize(
                                type, ref.getIdentity().getValue())
                        .orElse(null);
                if (key == null) {
                    refused.add(refusal(
                            row,
                            field + ".identity.value",
                            "not a usable " + type.name().toLowerCase() + " identifier"));
                    return null;
                }
                return new Ref(null, key);
            }
            default -> {
                refused.add(refusal(row, field, "a profile_id or an identity is required"));
                return null;
            }
        }
    }

    public static RefusedRow refusal(int row, String field, String reason) {
        return RefusedRow.newBuilder()
                .setRow(row)
                .setField(field)
                .setReason(reason)
                .build();
    }

    private final Pool pool;

    public ProfileRefs(Pool pool) {
        this.pool = pool;
    }

    /** The profile of each reference (null where none): on the pool. */
    public Uni<List<UUID>> resolve(String tenant, List<Ref> refs) {
        return resolve(pool, tenant, refs);
    }

    /** The profile of each reference (null where none). */
    public Uni<List<UUID>> resolve(SqlClient client, String tenant, List<Ref> refs) {
        List<String> types = new ArrayList<>();
        List<String> values = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        for (Ref ref : refs) {
            if (ref.id() != null) {
                ids.add(ref.id());
            } else {
                types.add(ref.identity().type().name());
                values.add(ref.identity().value());
            }
        }
        Uni<Map<String, UUID>> byIdentity = types.isEmpty()
                ? Uni.createFrom().item(Map.of())
                : client.preparedQuery("""
                                select i.type, i.value, i.profile_id from profile_identities i
                                join unnest($2::text[], $3::text[]) as r(type, value)
                                  on i.type = r.type and i.value = r.value
                                where i.tenant = $1""")
                        .execute(Tuple.of(tenant, types.toArray(String[]::new), values.toArray(String[]::new)))
                        .map(rows -> {
                            Map<String, UUID> found = new HashMap<>();
                            for (Row row : rows) {
                                found.put(row.getString(0) + ":" + row.getString(1), row.getUUID(2));
                            }
                            return found;
                        });
        Uni<Map<UUID, UUID>> byId = ids.isEmpty()
                ? Uni.createFrom().item(Map.of())
                : client.preparedQuery("""
                                select r.id, coalesce(p.id, m.into_id) from unnest($2::uuid[]) as r(id)
                                left join profiles p on p.tenant = $1 and p.id = r.id
                                left join profile_merges m on m.tenant = $1 and m.merged_id = r.id""")
                        .execute(Tuple.of(tenant, ids.toArray(UUID[]::new)))
                        .map(rows -> {
                            Map<UUID, UUID> found = new HashMap<>();
                            for (Row row : rows) {
                                if (row.getUUID(1) != null) {
                                    found.put(row.getUUID(0), row.getUUID(1));
                                }
                            }
                            return found;
                        });
        return byIdentity.chain(identities -> byId.map(profiles -> {
            List<UUID> resolved = new ArrayList<>(refs.size());
            for (Ref ref : refs) {
                resolved.add(
                        ref.id() != null
                                ? profiles.get(ref.id())
                                : identities.get(ref.identity().type().name() + ":"
                                        + ref.identity().value()));
            }
            return resolved;
        }));
    }
}
