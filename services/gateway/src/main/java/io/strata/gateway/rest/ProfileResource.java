package io.strata.gateway.rest;

import io.grpc.Status;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.ProfileClient;
import io.strata.gateway.client.SegmentClient;
import io.strata.gateway.mapping.ProfileDto;
import io.strata.gateway.mapping.ProfileMapper;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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
    private final SegmentClient segments;
    private final TenantContext tenant;

    public ProfileResource(ProfileClient profiles, SegmentClient segments, TenantContext tenant) {
        this.profiles = profiles;
        this.segments = segments;
        this.tenant = tenant;
    }

    /**
     * A page of profiles: with an identifier, the profile owning it (or nothing); otherwise the
     * profiles the filters select, and the token of the next page (null on the last).
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record ProfileList(List<ProfileDto> items, String nextPageToken) {}

    @GET
    @Operation(
            summary = "Find the profile that owns an identifier, or list profiles",
            description = "With one of userId, anonymousId, email, phone, deviceId, memberId, wechatUnionId, "
                    + "wechatOpenId: the profile that owns it. Without: the tenant's profiles a page at a time "
                    + "(pageSize up to 500, pageToken from the previous page), filtered by tag (tag=key or "
                    + "tag=key=value, repeatable: all must hold), known=true|false (signed in at least once) and "
                    + "seenSince (ISO-8601 instant).")
    public Uni<ProfileList> find(
            @QueryParam("tag") List<String> tagFilters,
            @QueryParam("known") String known,
            @QueryParam("seenSince") String seenSince,
            @QueryParam("pageSize") String pageSize,
            @QueryParam("pageToken") String pageToken,
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
        if (given.values().stream().allMatch(v -> v == null || v.isBlank())) {
            return list(tagFilters, known, seenSince, pageSize, pageToken);
        }
        var identity = ProfileRefs.identity(given::get);
        return profiles.lookup(tenant.user(), identity.getType(), identity.getValue())
                .map(profile -> new ProfileList(List.of(ProfileMapper.toDto(profile)), null))
                .onFailure(e -> Status.fromThrowable(e).getCode() == Status.Code.NOT_FOUND)
                .recoverWithItem(new ProfileList(List.of(), null));
    }

    private Uni<ProfileList> list(
            List<String> tagFilters, String known, String seenSince, String pageSize, String pageToken) {
        var request = io.strata.proto.profile.v1.ListProfilesRequest.newBuilder()
                .setPageSize(ApiException.intParam("pageSize", pageSize, 50, 1, 500))
                .setPageToken(pageToken == null ? "" : pageToken);
        if (tagFilters != null) {
            request.addAllTags(tagFilters);
        }
        if (known != null) {
            if (!known.equals("true") && !known.equals("false")) {
                throw ApiException.badRequest("known", "known is true or false");
            }
            request.setKnown(Boolean.parseBoolean(known));
        }
        if (seenSince != null) {
            try {
                java.time.Instant since = java.time.Instant.parse(seenSince);
                request.setSeenSince(com.google.protobuf.Timestamp.newBuilder()
                        .setSeconds(since.getEpochSecond())
                        .setNanos(since.getNano()));
            } catch (java.time.format.DateTimeParseException e) {
                throw ApiException.badRequest("seenSince", "seenSince is an ISO-8601 instant (2026-11-01T00:00:00Z)");
            }
        }
        return profiles.list(tenant.user(), request)
                .map(page -> new ProfileList(
                        page.getProfilesList().stream()
                                .map(ProfileMapper::toDto)
                                .toList(),
                        page.getNextPageToken().isEmpty() ? null : page.getNextPageToken()));
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

    @GET
    @Path("/{id}/merges")
    @Operation(
            summary = "A profile's merge history",
            description = "The merges into the profile and its own into another (newest first, with the "
                    + "identifiers each brought and whether an admin undid it), and the merges and identifiers "
                    + "the tenant's identity limits refused it.")
    public Uni<String> merges(@PathParam("id") String id) {
        uuid("id", id);
        return profiles.mergeHistory(tenant.user(), id).map(ProtoJson::print);
    }

    @GET
    @Path("/{id}/segments")
    @Operation(
            summary = "The active audiences a profile is in",
            description = "{\"segmentIds\": [...]} as segmentation-service holds them now (absent when none).")
    public Uni<String> segments(@PathParam("id") String id) {
        uuid("id", id);
        return segments.segmentsOf(tenant.user(), id).map(ProtoJson::print);
    }

    @POST
    @Path("/{id}/unmerge")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(
            summary = "Undoes a merge (admins)",
            description = "{\"mergedProfileId\": \"...\"}: the profile merged into this one comes back under its id, "
                    + "with the identifiers it brought and the events that came through them; both profiles' "
                    + "aggregates and rule tags are computed again. 404 when no such merge is in force.")
    public Uni<String> unmerge(@PathParam("id") String id, Map<String, Object> body) {
        uuid("id", id);
        Object merged = body == null ? null : body.get("mergedProfileId");
        if (merged == null) {
            throw ApiException.badRequest("mergedProfileId", "mergedProfileId names the profile to restore");
        }
        uuid("mergedProfileId", merged.toString());
        return profiles.unmerge(tenant.user(), id, merged.toString()).map(ProtoJson::print);
    }

    @POST
    @Path("/resends")
    @RolesAllowed(Roles.ADMIN)
    @Operation(
            summary = "Sends every profile once more on the change feed (admins)",
            description = "For a consumer that starts after the feed's older records expired: every profile of the "
                    + "tenant, whole, at its current version. 202 with the job; its progress at "
                    + "/api/v1/profiles/resends/{id}.")
    public Uni<jakarta.ws.rs.core.Response> resend() {
        return profiles.resend(tenant.user())
                .map(job -> jakarta.ws.rs.core.Response.accepted(ProtoJson.print(job))
                        .build());
    }

    @GET
    @Path("/resends/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "A resend's progress: status (queued, running, done) and profiles sent")
    public Uni<String> resendJob(@PathParam("id") String id) {
        uuid("id", id);
        return profiles.resendJob(tenant.user(), id).map(ProtoJson::print);
    }

    private static void uuid(String field, String value) {
        try {
            UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, field + " must be a UUID");
        }
    }
}
