package io.strata.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Message;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.InsightClient;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.security.Roles;
import io.strata.proto.insight.v1.GetAssociationRulesRequest;
import io.strata.proto.insight.v1.GetFunnelRequest;
import io.strata.proto.insight.v1.GetGrowRequest;
import io.strata.proto.insight.v1.GetRetentionRequest;
import io.strata.proto.insight.v1.GetTgiRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * The analyses of insight-service (docs/insight.md) for analysts, marketers and admins of the
 * tenant. Each takes its question as a JSON body, the request message of InsightService
 * (proto/strata/insight/v1) without the tenant, which is always the signed-in user's; fields in
 * lowerCamelCase or as the proto names them. The answer is the response message as JSON.
 */
@Path("/api/v1/insight")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
@SecurityRequirement(name = "bearer")
public class InsightResource {

    private final InsightClient insight;
    private final TenantContext tenant;

    public InsightResource(InsightClient insight, TenantContext tenant) {
        this.insight = insight;
        this.tenant = tenant;
    }

    @POST
    @Path("/tgi")
    @Operation(
            summary = "An audience's TGI over every feature against a base: {audience, base?: all | segment:<id> |"
                    + " buyers:<category>, dimensions?, minBase?, flagBelow?, confidence?, limit?}; rows ranked by"
                    + " the interval's lower bound")
    public Uni<String> tgi(String body) {
        return insight.tgi(tenant.user(), parse(body, GetTgiRequest.newBuilder(), "GetTgiRequest"))
                .map(ProtoJson::print);
    }

    @POST
    @Path("/association-rules")
    @Operation(
            summary = "Frequent itemsets and rules: {level?: category | product, basket?: order | consumer,"
                    + " windowDays?, audience?, from?, to?, minSupport?, minConfidence?, maxLength?, limit?,"
                    + " items?: the cart, for recommendations}")
    public Uni<String> rules(String body) {
        return insight.rules(
                        tenant.user(),
                        parse(body, GetAssociationRulesRequest.newBuilder(), "GetAssociationRulesRequest"))
                .map(ProtoJson::print);
    }

    @POST
    @Path("/funnel")
    @Operation(
            summary = "A funnel: {steps: [{event, label?, where?: [{property, op, values}], maxGapSeconds?}] or"
                    + " preset (aarrr, douyin-5a, traffic-lead-conversion, cart-to-payment), order?: ordered |"
                    + " strict | any, windowDays?, exclusions?, breakdownProperty? or breakdownAudiences?,"
                    + " audience?, from?, to?}")
    public Uni<String> funnel(String body) {
        return insight.funnel(tenant.user(), parse(body, GetFunnelRequest.newBuilder(), "GetFunnelRequest"))
                .map(ProtoJson::print);
    }

    @POST
    @Path("/retention")
    @Operation(
            summary = "Retention cohorts: {startEvent?, returnEvent?, period?: day | week | month, periods?,"
                    + " mode?: first_time | recurring, minReturns?, audience?, breakdownAudiences?, from?, to?,"
                    + " timeZone?}")
    public Uni<String> retention(String body) {
        return insight.retention(tenant.user(), parse(body, GetRetentionRequest.newBuilder(), "GetRetentionRequest"))
                .map(ProtoJson::print);
    }

    @POST
    @Path("/grow")
    @Operation(
            summary = "GMV change split into Gain, Retain, bOost and Widen: {beforeFrom, beforeTo, afterFrom,"
                    + " afterTo, level?, audience?}")
    public Uni<String> grow(String body) {
        return insight.grow(tenant.user(), parse(body, GetGrowRequest.newBuilder(), "GetGrowRequest"))
                .map(ProtoJson::print);
    }

    @GET
    @Path("/status")
    @RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "How far the analytical store has read the feed: {events, profiles, lag, staged, caughtUp}")
    public Uni<String> status() {
        return insight.status(tenant.user()).map(ProtoJson::print);
    }

    /** The body as the request message; naming a tenant (always the user's) is refused. */
    private static <B extends Message.Builder> B parse(String body, B builder, String what) {
        JsonNode json = RequestBodies.object(body);
        if (json.has("tenant")) {
            throw ApiException.badRequest("tenant", "the tenant is the signed-in user's: leave it out");
        }
        return ProtoJson.parse(json.toString(), builder, what);
    }
}
