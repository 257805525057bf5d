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
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
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
