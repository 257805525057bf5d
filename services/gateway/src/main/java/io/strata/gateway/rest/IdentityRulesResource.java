package io.strata.gateway.rest;

import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.ProfileClient;
import io.strata.gateway.mapping.ProfileMapper;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.security.Roles;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.profile.v1.IdentityLimit;
import io.strata.proto.profile.v1.IdentityRules;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * The tenant's identity rules: which identifier decides first, how many of a type one profile may
 * hold, and values that never identify anyone. Identifier types are named as in the profile API
 * (userId, anonymousId, email, phone, deviceId, memberId, wechatUnionId, wechatOpenId).
 */
@Path("/api/v1/identity-rules")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
@SecurityRequirement(name = "bearer")
public class IdentityRulesResource {

    private final ProfileClient profiles;
    private final TenantContext tenant;

    public IdentityRulesResource(ProfileClient profiles, TenantContext tenant) {
        this.profiles = profiles;
        this.tenant = tenant;
    }

    /** The rules as the API shows and takes them. */
    public record Rules(
            List<String> priority,
            Map<String, Integer> limits,
            List<Blocked> blocked,
            Long version,
            String updatedAt,
            String updatedBy,
            Long expectedVersion) {}

    public record Blocked(String type, String value) {}

    @GET
    @Operation(summary = "The tenant's identity rules (the defaults until an admin sets them)")
    public Uni<Rules> get() {
        return profiles.identityRules(tenant.user()).map(IdentityRulesResource::toApi);
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(
            summary = "Replaces the tenant's identity rules (admins)",
            description = "{\"priority\": [\"userId\", \"phone\"], \"limits\": {\"userId\": 1, \"deviceId\": 5}, "
                    + "\"blocked\": [{\"type\": \"phone\", \"value\": \"13900000000\"}], \"expectedVersion\": 2}. "
                    + "Types left out of the priority follow in the default order; a type without a limit has none "
                    + "(userId: 1 unless set). With expectedVersion, 409 when the rules changed meanwhile.")
    public Uni<Rules> put(Rules body) {
        if (body == null) {
            throw ApiException.badRequest("priority", "the body holds the rules");
        }
        IdentityRules.Builder rules = IdentityRules.newBuilder();
        List<String> priority = body.priority() == null ? List.of() : body.priority();
        for (int i = 0; i < priority.size(); i++) {
            rules.addPriority(type(priority.get(i), "priority[" + i + "]"));
        }
        if (body.limits() != null) {
            for (var limit : body.limits().entrySet()) {
                String field = "limits." + limit.getKey();
                if (limit.getValue() == null) {
                    throw ApiException.badRequest(field, "a limit is a whole number from 1 to 1000");
                }
                rules.addLimits(IdentityLimit.newBuilder()
                        .setType(type(limit.getKey(), field))
                        .setMax(limit.getValue()));
            }
        }
        List<Blocked> blocked = body.blocked() == null ? List.of() : body.blocked();
        for (int i = 0; i < blocked.size(); i++) {
            Blocked b = blocked.get(i);
            if (b == null || b.value() == null || b.value().isBlank()) {
                throw ApiException.badRequest("blocked[" + i + "].value", "a blocked value is a non-empty text");
            }
            rules.addBlocked(Identity.newBuilder()
                    .setType(type(b.type(), "blocked[" + i + "].type"))
                    .setValue(b.value()));
        }
        return profiles.setIdentityRules(tenant.user(), rules.build(), body.expectedVersion())
                .map(IdentityRulesResource::toApi);
    }

    private static IdentityType type(String name, String field) {
        IdentityType type = name == null ? null : ProfileRefs.IDENTIFIERS.get(name);
        if (type == null) {
            throw ApiException.badRequest(
                    field, "an identifier type is one of " + String.join(", ", ProfileRefs.IDENTIFIERS.keySet()));
        }
        return type;
    }

    private static Rules toApi(IdentityRules rules) {
        List<String> priority = new ArrayList<>();
        rules.getPriorityList().forEach(t -> priority.add(ProfileMapper.typeName(t)));
        Map<String, Integer> limits = new LinkedHashMap<>();
        rules.getLimitsList().forEach(l -> limits.put(ProfileMapper.typeName(l.getType()), l.getMax()));
        List<Blocked> blocked = rules.getBlockedList().stream()
                .map(b -> new Blocked(ProfileMapper.typeName(b.getType()), b.getValue()))
                .toList();
        return new Rules(
                priority,
                limits,
                blocked,
                rules.getVersion(),
                rules.hasUpdatedAt() ? ProfileMapper.iso(rules.getUpdatedAt()) : null,
                rules.getUpdatedBy().isEmpty() ? null : rules.getUpdatedBy(),
                null);
    }
}
