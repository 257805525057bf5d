package io.strata.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.InsightClient;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.errors.Errors;
import io.strata.platform.errors.HttpProblems;
import io.strata.platform.security.Roles;
import io.strata.proto.insight.v1.CostRow;
import io.strata.proto.insight.v1.GetActivityRequest;
import io.strata.proto.insight.v1.GetAssociationRulesRequest;
import io.strata.proto.insight.v1.GetEconomicsRequest;
import io.strata.proto.insight.v1.GetFunnelRequest;
import io.strata.proto.insight.v1.GetGrowRequest;
import io.strata.proto.insight.v1.GetRetentionRequest;
import io.strata.proto.insight.v1.GetTgiRequest;
import io.strata.proto.insight.v1.ImportCostsRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * The analyses of insight-service (docs/insight.md) for analysts, marketers and admins of the
 * tenant. Each takes its question as a JSON body, the request message of InsightService
 * (proto/strata/insight/v1) without the tenant, which is always the signed-in user's; fields in
 * lowerCamelCase or as the proto names them. The answer is the response message as JSON. The
 * store's status and the activity over time are GETs for every role: they read aggregate counts
 * that the overview shows everyone, and nothing of a profile.
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
                .onFailure()
                .transform(InsightResource::placed)
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
                .onFailure()
                .transform(InsightResource::placed)
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
                .onFailure()
                .transform(InsightResource::placed)
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
                .onFailure()
                .transform(InsightResource::placed)
                .map(ProtoJson::print);
    }

    @POST
    @Path("/grow")
    @Operation(
            summary = "GMV change split into Gain, Retain, bOost and Widen: {beforeFrom, beforeTo, afterFrom,"
                    + " afterTo, level?, audience?}")
    public Uni<String> grow(String body) {
        return insight.grow(tenant.user(), parse(body, GetGrowRequest.newBuilder(), "GetGrowRequest"))
                .onFailure()
                .transform(InsightResource::placed)
                .map(ProtoJson::print);
    }

    @POST
    @Path("/economics")
    @Operation(
            summary = "Content and channel economics: {from, to, attributionDays?}; per acquisition channel the"
                    + " profiles acquired, their revenue, cost, LTV, CAC, LTV/CAC, ROI; per creator the viewers, the"
                    + " orders their content last touched, revenue, cost, ROI")
    public Uni<String> economics(String body) {
        return insight.economics(tenant.user(), parse(body, GetEconomicsRequest.newBuilder(), "GetEconomicsRequest"))
                .onFailure()
                .transform(InsightResource::placed)
                .map(ProtoJson::print);
    }

    @POST
    @Path("/costs")
    @Consumes({MediaType.APPLICATION_JSON, "text/csv"})
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Imports costs: JSON {rows: [{day, channel, creator?, cost}]} or a CSV with the header"
                    + " day,channel,creator,cost; all rows or none (a wrong one is a 400 naming rows[i].field, i"
                    + " counting data rows from 0); a row replaces the same day's, channel's and creator's")
    public Uni<String> costs(@HeaderParam("Content-Type") String contentType, String body) {
        ImportCostsRequest.Builder request;
        if (contentType != null && contentType.startsWith("text/csv")) {
            request = csvCosts(body);
        } else {
            request = parse(body, ImportCostsRequest.newBuilder(), "ImportCostsRequest");
        }
        return insight.costs(tenant.user(), request)
                .onFailure()
                .transform(InsightResource::placed)
                .map(ProtoJson::print);
    }

    /** The CSV's rows as cost rows: a header naming day, channel, cost (and optionally creator). */
    static ImportCostsRequest.Builder csvCosts(String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("body", "a CSV with the header day,channel,creator,cost is required");
        }
        ImportCostsRequest.Builder request = ImportCostsRequest.newBuilder();
        try (CSVParser csv = CSVFormat.DEFAULT
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setTrim(true)
                .get()
                .parse(new StringReader(body))) {
            for (String column : List.of("day", "channel", "cost")) {
                if (!csv.getHeaderMap().containsKey(column)) {
                    throw ApiException.badRequest("body", "the CSV's header has no column " + column);
                }
            }
            boolean creators = csv.getHeaderMap().containsKey("creator");
            int i = 0;
            for (CSVRecord record : csv) {
                CostRow.Builder row = CostRow.newBuilder()
                        .setDay(record.get("day"))
                        .setChannel(record.get("channel"))
                        .setCreator(creators ? record.get("creator") : "");
                try {
                    row.setCost(Double.parseDouble(record.get("cost")));
                } catch (NumberFormatException e) {
                    throw ApiException.badRequest(
                            "rows[" + i + "].cost",
                            "not a number: '" + record.get("cost") + "' (line " + (record.getRecordNumber() + 1) + ")");
                }
                request.addRows(row);
                i++;
            }
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw ApiException.badRequest("body", "not a CSV of costs: " + e.getMessage());
        }
        return request;
    }

    @GET
    @Path("/status")
    @RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "How far the analytical store has read the feed: {events, profiles, lag, staged, caughtUp}")
    public Uni<String> status() {
        return insight.status(tenant.user()).map(ProtoJson::print);
    }

    @GET
    @Path("/activity")
    @RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Events over time: ?from=&to= (RFC 3339; either may be left out) &period=day|week|month (week)"
                    + " &topEvents= (5, at most 20) &audience= &timeZone= (UTC); per period its first day, the events,"
                    + " the profiles active and the events of each of topEvents (the most frequent names)")
    public Uni<String> activity(
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("period") String period,
            @QueryParam("topEvents") String topEvents,
            @QueryParam("audience") String audience,
            @QueryParam("timeZone") String timeZone) {
        GetActivityRequest.Builder request = GetActivityRequest.newBuilder()
                .setPeriod(text(period))
                .setAudience(text(audience))
                .setTimeZone(text(timeZone));
        if (!text(from).isEmpty()) {
            request.setFrom(timestamp("from", from));
        }
        if (!text(to).isEmpty()) {
            request.setTo(timestamp("to", to));
        }
        // 0: insight-service's default; the bounds are its own too (1 to 20)
        request.setTopEvents(ApiException.intParam("topEvents", topEvents, 0, 1, 20));
        return insight.activity(tenant.user(), request)
                .onFailure()
                .transform(InsightResource::placed)
                .map(ProtoJson::print);
    }

    private static String text(String parameter) {
        return parameter == null ? "" : parameter.trim();
    }

    /** An instant of a query parameter in RFC 3339, as the request's Timestamp. */
    private static Timestamp timestamp(String field, String text) {
        Instant at = ApiException.instantParam(field, text);
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }

    /**
     * A refused question names the field by its whole path in the body as the API spells it
     * ({@code rows[2].cost}, {@code steps[0].where[1].op}, {@code minBase}), not by its last name.
     */
    static Throwable placed(Throwable error) {
        List<Errors.Violation> violations = Errors.violations(error);
        if (violations.isEmpty()) {
            return error;
        }
        StringBuilder path = new StringBuilder();
        for (String part : violations.get(0).field().split("\\.")) {
            int bracket = part.indexOf('[');
            String name = bracket < 0 ? part : part.substring(0, bracket);
            path.append(path.isEmpty() ? "" : ".")
                    .append(HttpProblems.camel(name))
                    .append(bracket < 0 ? "" : part.substring(bracket));
        }
        return ApiException.badRequest(path.toString(), Errors.description(error));
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
