package io.strata.gateway.rest;

import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.CrowdClient;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelRequest;
import io.strata.proto.segmentation.v1.FindCustomCrowdsRequest;
import io.strata.proto.segmentation.v1.GetCrowdTrendsRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Custom strategic crowds and the reverse funnel (docs/crowds.md): analysts run them, saving what
 * they find as audiences ({@code saveAs}) takes a marketer. The bodies are the contract's requests
 * in the API's spelling, without the tenant (always the user's).
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
@SecurityRequirement(name = "bearer")
public class CrowdResource {

    private final CrowdClient crowds;
    private final TenantContext tenant;

    public CrowdResource(CrowdClient crowds, TenantContext tenant) {
        this.crowds = crowds;
        this.tenant = tenant;
    }

    @POST
    @Path("/crowds/custom")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary =
                    "Custom strategic crowds: {dimensions: [traits.*|tags.*], events?, property?, withinDays?,"
                            + " baseSegmentId?, leastMembers?, smoothing?, metric?, linkage?, choice?, fixedCount?, maxCount?,"
                            + " references?, seed?, saveAs?, rerunEveryDays?}; answers the crowds, the scores of every count, the dendrogram")
    public Uni<String> custom(String body) {
        FindCustomCrowdsRequest.Builder request =
                ProtoJson.parse(RequestBodies.withoutTenant(body), FindCustomCrowdsRequest.newBuilder(), "request");
        return crowds.custom(tenant.user(), request).map(ProtoJson::print);
    }

    @POST
    @Path("/reverse-funnel")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary =
                    "The reverse funnel ({} for every default): {coreSegmentId?, method?: centroid|positive_unlabeled, expansion?,"
                            + " hiddenShare?, seed?, saveAs?}; answers the tiers core → high potential → broad, the"
                            + " look-alike's recall and lift at k on hidden seeds, the referral chains and K per cohort")
    public Uni<String> reverseFunnel(String body) {
        AnalyzeReverseFunnelRequest.Builder request =
                ProtoJson.parse(RequestBodies.withoutTenant(body), AnalyzeReverseFunnelRequest.newBuilder(), "request");
        return crowds.reverseFunnel(tenant.user(), request).map(ProtoJson::print);
    }

    @GET
    @Path("/crowds/custom/schedules")
    @RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "The saved custom crowd clusterings that run again on a schedule (saved with rerunEveryDays):"
                    + " {schedules: [{saveAs, request, everyDays, lastRunAt, nextRunAt, lastChosen, lastError}]}")
    public Uni<String> schedules() {
        return crowds.schedules(tenant.user()).map(ProtoJson::print);
    }

    @GET
    @Path("/crowds/trends")
    @RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary =
                    "Crowds over time: ?segments=a,b,… (1 to 30 audiences) &period=day|week|month &from &to (ISO days)"
                            + " &base (the audience that is 100 %; default: the crowds added up); per period each one's size"
                            + " at its end, penetration and growth over the period before")
    public Uni<String> trends(
            @QueryParam("segments") String segments,
            @QueryParam("period") String period,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("base") String base) {
        if (segments == null || segments.isBlank()) {
            throw ApiException.badRequest("segments", "1 to 30 audience ids, separated by commas");
        }
        GetCrowdTrendsRequest.Builder request = GetCrowdTrendsRequest.newBuilder();
        for (String id : segments.split(",")) {
            request.addSegmentIds(id.trim());
        }
        request.setPeriod(period == null ? "" : period)
                .setFrom(from == null ? "" : from)
                .setTo(to == null ? "" : to)
                .setBaseSegmentId(base == null ? "" : base);
        return crowds.trends(tenant.user(), request).map(ProtoJson::print);
    }

    /** The body, refused when it names a tenant (the user's is the only one). */
}
