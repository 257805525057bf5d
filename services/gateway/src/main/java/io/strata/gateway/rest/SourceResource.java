package io.strata.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.SourceAdminClient;
import io.strata.gateway.mapping.SourceDto;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Event sources and their write keys; administrators only. */
@Path("/api/v1/sources")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
@SecurityRequirement(name = "bearer")
public class SourceResource {

    private static final int MAX_PAGE = 500;

    private final SourceAdminClient sources;
    private final TenantContext tenant;

    public SourceResource(SourceAdminClient sources, TenantContext tenant) {
        this.sources = sources;
        this.tenant = tenant;
    }

    public record SourcePage(List<SourceDto> items, String nextCursor) {}

    @GET
    @Operation(summary = "The tenant's sources, by name")
    public Uni<SourcePage> list(
            @QueryParam("pageSize") String pageSizeParam, @QueryParam("cursor") @DefaultValue("") String cursor) {
        int pageSize = ApiException.intParam("pageSize", pageSizeParam, 50, 1, MAX_PAGE);
        return sources.list(tenant.user(), pageSize, cursor)
                .map(page -> new SourcePage(
                        page.getSourcesList().stream()
                                .map(s -> SourceDto.of(s, null))
                                .toList(),
                        page.getPage().getNextPageToken().isEmpty()
                                ? null
                                : page.getPage().getNextPageToken()));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a source; the answer holds its write key, shown this once")
    public Uni<Response> create(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("", "the body must be a JSON object");
        }
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw ApiException.badRequest("name", "name is required");
        }
        JsonNode limit = body.get("rateLimitPerSecond");
        if (limit != null
                && !limit.isNull()
                && (!limit.canConvertToInt() || !limit.isIntegralNumber() || limit.asInt() < 1)) {
            throw ApiException.badRequest("rateLimitPerSecond", "rateLimitPerSecond must be a positive integer");
        }
        int rate = limit == null || limit.isNull() ? 0 : limit.asInt();
        return sources.create(tenant.user(), name.asText(), rate)
                .map(created -> Response.created(URI.create(
                                "/api/v1/sources/" + created.getSource().getId()))
                        .entity(SourceDto.of(created.getSource(), created.getWriteKey()))
                        .build());
    }

    @POST
    @Path("/{id}/rotate")
    @Operation(summary = "Give the source a new write key; the old one stops working at once")
    public Uni<SourceDto> rotate(@PathParam("id") String id) {
        return sources.rotate(tenant.user(), uuid(id)).map(r -> SourceDto.of(r.getSource(), r.getWriteKey()));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke the source; its write key stops working at once")
    public Uni<SourceDto> revoke(@PathParam("id") String id) {
        return sources.revoke(tenant.user(), uuid(id)).map(r -> SourceDto.of(r.getSource(), null));
    }

    static String uuid(String id) {
        try {
            return UUID.fromString(id).toString();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("id", "id must be a UUID");
        }
    }
}
