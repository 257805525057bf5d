package io.strata.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.ModelClient;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.ModelSettings;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * The tenant's model settings (docs/models.md): everyone signed in reads them, marketers and
 * admins make a new version. The settings travel as a JSON object, every setting written out.
 */
@Path("/api/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
@SecurityRequirement(name = "bearer")
public class ModelResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelClient models;
    private final TenantContext tenant;

    public ModelResource(ModelClient models, TenantContext tenant) {
        this.models = models;
        this.tenant = tenant;
    }

    @GET
    @Path("/settings")
    @Operation(
            summary =
                    "The model settings in force: {version, settings, createdAt, createdBy} (version 0: the defaults)")
    public Uni<String> settings() {
        return models.settings(tenant.user()).map(s -> settings(s).toString());
    }

    @PUT
    @Path("/settings")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "A new version of the model settings: {settings: {...}, expectedVersion}; what settings leaves"
                    + " out takes its default")
    public Uni<String> update(String body) {
        JsonNode json = RequestBodies.object(body);
        JsonNode given = json.get("settings");
        if (given == null || !given.isObject()) {
            throw ApiException.badRequest("settings", "settings is a JSON object");
        }
        long expected = 0;
        JsonNode version = json.get("expectedVersion");
        if (version != null && !version.isNull()) {
            if (!version.canConvertToLong() || version.asLong() < 0) {
                throw ApiException.badRequest("expectedVersion", "a version number");
            }
            expected = version.asLong();
        }
        return models.update(tenant.user(), given.toString(), expected)
                .onFailure()
                .transform(ModelResource::placed)
                .map(s -> settings(s).toString());
    }

    @GET
    @Path("/settings/versions")
    @Operation(summary = "Every version of the model settings, newest first")
    public Uni<String> versions() {
        return models.versions(tenant.user()).map(list -> {
            ArrayNode items = JSON.createArrayNode();
            list.forEach(s -> items.add(settings(s)));
            return JSON.createObjectNode().set("items", items).toString();
        });
    }

    @POST
    @Path("/runs")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Runs every model now, or as of an instant: {asOf?: RFC 3339}; answers 202 with the run,"
                    + " running (409 while another run of the tenant runs)")
    public Uni<Response> start(String body) {
        Instant asOf = null;
        if (body != null && !body.isBlank()) {
            JsonNode json = RequestBodies.object(body);
            JsonNode given = json.get("asOf");
            if (given != null && !given.isNull()) {
                asOf = ApiException.instantParam("asOf", given.asText());
            }
        }
        return models.start(tenant.user(), asOf)
                .map(run -> Response.accepted(ProtoJson.print(run))
                        .type(MediaType.APPLICATION_JSON)
                        .build());
    }

    @GET
    @Path("/runs")
    @Operation(summary = "The model runs, newest first: {items: [...]} (limit 1..100, default 20)")
    public Uni<String> runs(@QueryParam("limit") String limit) {
        int n = ApiException.intParam("limit", limit, 20, 1, 100);
        return models.runs(tenant.user(), n).map(list -> {
            ArrayNode items = JSON.createArrayNode();
            for (var run : list) {
                items.add(tree(ProtoJson.print(run)));
            }
            return JSON.createObjectNode().set("items", items).toString();
        });
    }

    @GET
    @Path("/runs/{id}")
    @Operation(
            summary = "One model run: status, as of, settings version, duration, counts per class of each model tag,"
                    + " the CLV fit")
    public Uni<String> run(@PathParam("id") String id) {
        return models.run(tenant.user(), id).map(ProtoJson::print);
    }

    @GET
    @Path("/distributions")
    @Operation(
            summary = "The counts per class of each model tag (RFM groups, lifecycle stages, AIPL stages, churn risk,"
                    + " CLV tiers) of the latest finished run, with that run")
    public Uni<String> distributions() {
        return models.runs(tenant.user(), 100).map(list -> {
            for (var run : list) {
                if (run.getStatus().equals("done")) {
                    ObjectNode out = JSON.createObjectNode();
                    ObjectNode counts = (ObjectNode) tree(ProtoJson.print(run)).path("counts");
                    out.set("distributions", counts);
                    out.put("runId", run.getId());
                    out.put("asOf", com.google.protobuf.util.Timestamps.toString(run.getAsOf()));
                    return out.toString();
                }
            }
            throw new ApiException(
                    Response.Status.NOT_FOUND, "no model run finished yet: start one (POST /api/v1/models/runs)", null);
        });
    }

    @GET
    @Path("/aipl/flows")
    @Operation(
            summary = "AIPL stage flows between two instants (from < to ≤ now, RFC 3339): {flows: [{from, to, count}],"
                    + " start, end, fertility, advancing, superiority, thriving}; \"\" is no stage")
    public Uni<String> aiplFlows(@QueryParam("from") String from, @QueryParam("to") String to) {
        if (from == null || from.isBlank()) {
            throw ApiException.badRequest("from", "the period's start, RFC 3339");
        }
        if (to == null || to.isBlank()) {
            throw ApiException.badRequest("to", "the period's end, RFC 3339");
        }
        return models.aiplFlows(
                        tenant.user(), ApiException.instantParam("from", from), ApiException.instantParam("to", to))
                .map(ProtoJson::print);
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not JSON", e);
        }
    }

    private static ObjectNode settings(ModelSettings s) {
        try {
            ObjectNode out = (ObjectNode) JSON.readTree(ProtoJson.print(s));
            out.set("settings", JSON.readTree(s.getSettings()));
            // as every int64 of the API, in text; written out when 0 (the defaults) too
            out.put("version", Long.toString(s.getVersion()));
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("segmentation-service sent settings that are not JSON", e);
        }
    }

    /** A setting the service refused, named by its place in the request's {@code settings}. */
    private static Throwable placed(Throwable error) {
        List<Errors.Violation> violations = Errors.violations(error);
        if (!violations.isEmpty() && violations.get(0).field().startsWith("settings")) {
            return ApiException.badRequest(violations.get(0).field(), Errors.description(error));
        }
        return error;
    }
}
