package io.strata.gateway.rest;

import io.grpc.Status;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.ProfileClient;
import io.strata.gateway.mapping.ProfileDto;
import io.strata.gateway.mapping.ProfileMapper;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Unified consumer profiles of the caller's tenant. */
@Path("/api/v1/profiles")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
@SecurityRequirement(name = "bearer")
public class ProfileResource {

    private final ProfileClient profiles;
    private final TenantContext tenant;

    public ProfileResource(ProfileClient profiles, TenantContext tenant) {
        this.profiles = profiles;
        this.tenant = tenant;
    }

    /** The items list holds the profile owning the identifier, or nothing. */
    public record ProfileList(List<ProfileDto> items) {}

    @GET
    @Operation(
            summary = "Find the profile that owns an identifier",
            description = "Exactly one of userId, anonymousId, email, phone, deviceId, memberId, wechatUnionId, "
                    + "wechatOpenId.")
    public Uni<ProfileList> find(
            @QueryParam("userId") String userId,
            @QueryParam("anonymousId") String anonymousId,
            @QueryParam("email") String email,
            @QueryParam("phone") String phone,
            @QueryParam("deviceId") String deviceId,
            @QueryParam("memberId") String memberId,
            @QueryParam("wechatUnionId") String wechatUnionId,
            @QueryParam("wechatOpenId") String wechatOpenId) {
        Map<String, String> given = new java.util.HashMap<>();
        given.put("userId", userId);
        given.put("anonymousId", anonymousId);
        given.put("email", email);
        given.put("phone", phone);
        given.put("deviceId", deviceId);
        given.put("memberId", memberId);
        given.put("wechatUnionId", wechatUnionId);
        given.put("wechatOpenId", wechatOpenId);
        var identity = ProfileRefs.identity(given::get);
        return profiles.lookup(tenant.user(), identity.getType(), identity.getValue())
                .map(profile -> new ProfileList(List.of(ProfileMapper.toDto(profile))))
                .onFailure(e -> Status.fromThrowable(e).getCode() == Status.Code.NOT_FOUND)
                .recoverWithItem(new ProfileList(List.of()));
    }

    /** What the tenant's profiles add up to. */
    public record Summary(
            long profiles,
            long knownProfiles,
            long anonymousProfiles,
            Map<String, Long> identities,
            long merges,
            long events,
            List<EventTotal> topEvents,
            String firstSeen,
            String lastSeen) {}

    public record EventTotal(String name, long events, long profiles) {}

    @GET
    @Path("/summary")
    @Operation(
            summary = "What the tenant's profiles add up to",
            description = "Profiles (known: signed in at least once; anonymous), identifiers by type, "
                    + "profiles merged by identity resolution, events, and the most frequent events.")
    public Uni<Summary> summary(@QueryParam("topEvents") String topEventsParam) {
        int topEvents = ApiException.intParam("topEvents", topEventsParam, 10, 1, 100);
        return profiles.summarize(tenant.user(), topEvents).map(s -> {
            Map<String, Long> identities = new LinkedHashMap<>();
            s.getIdentitiesByTypeMap().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> identities.put(ProfileMapper.identityName(e.getKey()), e.getValue()));
            return new Summary(
                    s.getProfiles(),
                    s.getKnownProfiles(),
                    s.getProfiles() - s.getKnownProfiles(),
                    identities,
                    s.getMerges(),
                    s.getEvents(),
                    s.getTopEventsList().stream()
                            .map(e -> new EventTotal(e.getName(), e.getEvents(), e.getProfiles()))
                            .toList(),
                    s.hasFirstSeen() ? ProfileMapper.iso(s.getFirstSeen()) : null,
                    s.hasLastSeen() ? ProfileMapper.iso(s.getLastSeen()) : null);
        });
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A profile by id (an id merged into another profile finds the survivor)")
    public Uni<ProfileDto> get(@PathParam("id") String id) {
        try {
            UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("id", "id must be a UUID");
        }
        return profiles.get(tenant.user(), id).map(ProfileMapper::toDto);
    }
}
