package io.strata.gateway.rest;

import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.ProfileClient;
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
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Requests to forget a person (admins only): the profile and everything of it is deleted, its
 * identifiers suppressed, and every request kept in an audit log without personal data.
 */
@Path("/api/v1/deletion-requests")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
@SecurityRequirement(name = "bearer")
public class DeletionRequestResource {

    private final ProfileClient profiles;
    private final TenantContext tenant;

    public DeletionRequestResource(ProfileClient profiles, TenantContext tenant) {
        this.profiles = profiles;
        this.tenant = tenant;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Forgets a person",
            description = "{\"email\": \"a@b.cn\", \"reason\": \"the person asked\"}: the person by profileId or one "
                    + "identifier. Carried out at once; an identifier no profile has is suppressed all the same.")
    public Uni<Response> request(Map<String, Object> body) {
        if (body == null) {
            throw ApiException.badRequest("profileId", "the body names the person: profileId or an identifier");
        }
        Object reason = body.get("reason");
        return profiles.requestDeletion(
                        tenant.user(),
                        ProfileRefs.of(
                                name -> body.get(name) == null
                                        ? null
                                        : body.get(name).toString(),
                                ""),
                        reason == null ? "" : reason.toString())
                .map(created -> Response.status(Response.Status.CREATED)
                        .entity(ProtoJson.print(created))
                        .build());
    }

    @GET
    @Operation(summary = "The tenant's deletion requests, newest first")
    public Uni<String> list(@QueryParam("pageSize") String pageSize, @QueryParam("pageToken") String pageToken) {
        int size = ApiException.intParam("pageSize", pageSize, 50, 1, 500);
        return profiles.deletions(tenant.user(), size, pageToken == null ? "" : pageToken)
                .map(ProtoJson::print);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One deletion request: who asked, when, when it completed, what it removed")
    public Uni<String> get(@PathParam("id") String id) {
        return profiles.deletion(tenant.user(), id).map(ProtoJson::print);
    }
}
