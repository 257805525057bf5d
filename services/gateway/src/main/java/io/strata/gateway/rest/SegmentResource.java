package io.strata.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.MessageOrBuilder;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.SegmentClient;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.CreateSegmentRequest;
import io.strata.proto.segmentation.v1.Segment;
import io.strata.proto.segmentation.v1.SegmentKind;
import io.strata.proto.segmentation.v1.SegmentState;
import io.strata.proto.segmentation.v1.SetStaticMembersRequest;
import io.strata.proto.segmentation.v1.StaticMode;
import io.strata.proto.segmentation.v1.UpdateSegmentRequest;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * The tenant's audiences (docs/segments.md): everyone signed in reads, previews and explains;
 * marketers and admins create, edit, activate, archive and set static members. A definition
 * travels as the JSON of the condition language, in and out.
 */
@Path("/api/v1/segments")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
@SecurityRequirement(name = "bearer")
public class SegmentResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SegmentClient segments;
    private final TenantContext tenant;

    public SegmentResource(SegmentClient segments, TenantContext tenant) {
        this.segments = segments;
        this.tenant = tenant;
    }

    @GET
    @Operation(summary = "The tenant's audiences (drafts and active ones, or those of ?state=)")
    public Uni<String> list(@QueryParam("state") String state) {
        SegmentState wanted = state == null || state.isBlank() ? SegmentState.SEGMENT_STATE_UNSPECIFIED : state(state);
        return segments.list(tenant.user(), wanted).map(list -> {
            ArrayNode items = JSON.createArrayNode();
            list.forEach(s -> items.add(segment(s)));
            return JSON.createObjectNode().set("items", items).toString();
        });
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One audience with its size and freshness")
    public Uni<String> get(@PathParam("id") String id) {
        return segments.get(tenant.user(), id).map(s -> segment(s).toString());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "A new audience: {id, name, description, kind: rule|static, definition, state: draft|active}")
    public Uni<Response> create(String body) {
        JsonNode json = body(body);
        CreateSegmentRequest.Builder request = CreateSegmentRequest.newBuilder()
                .setSegmentId(text(json, "id"))
                .setName(text(json, "name"))
                .setDescription(text(json, "description"))
                .setDefinition(definition(json, false));
        String kind = text(json, "kind").toLowerCase(Locale.ROOT);
        switch (kind) {
            case "", "rule" -> request.setKind(SegmentKind.SEGMENT_KIND_RULE);
            case "static" -> request.setKind(SegmentKind.SEGMENT_KIND_STATIC);
            default -> throw ApiException.badRequest("kind", "kind is rule or static");
        }
        if (!text(json, "state").isEmpty()) {
            request.setState(state(text(json, "state")));
        }
        return segments.create(tenant.user(), request)
                .onFailure()
                .transform(SegmentResource::placed)
                .map(created -> Response.status(Response.Status.CREATED)
                        .entity(segment(created).toString())
                        .build());
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "A new version: {name, description, definition, expectedVersion}")
    public Uni<String> update(@PathParam("id") String id, String body) {
        JsonNode json = body(body);
        UpdateSegmentRequest.Builder request = UpdateSegmentRequest.newBuilder()
                .setSegmentId(id)
                .setName(text(json, "name"))
                .setDescription(text(json, "description"))
                .setDefinition(definition(json, false));
        JsonNode expected = json.get("expectedVersion");
        if (expected != null && !expected.isNull()) {
            if (!expected.canConvertToLong()) {
                throw ApiException.badRequest("expectedVersion", "a version number");
            }
            request.setExpectedVersion(expected.asLong());
        }
        return segments.update(tenant.user(), request)
                .onFailure()
                .transform(SegmentResource::placed)
                .map(s -> segment(s).toString());
    }

    @POST
    @Path("/{id}/state")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Activates or archives an audience: {state: active|archived}")
    public Uni<String> setState(@PathParam("id") String id, String body) {
        JsonNode json = body(body);
        return segments.setState(tenant.user(), id, state(text(json, "state")))
                .map(s -> segment(s).toString());
    }

    @GET
    @Path("/{id}/sizes")
    @Operation(summary = "An active audience's size per day over the last `days` days (default 30, at most 366)")
    public Uni<String> sizes(@PathParam("id") String id, @QueryParam("days") String days) {
        int count;
        try {
            count = days == null || days.isBlank() ? 0 : Integer.parseInt(days.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("days", "days is a number of days, 1 to 366");
        }
        return segments.sizes(tenant.user(), id, count)
                .onFailure()
                .transform(SegmentResource::placed)
                .map(response -> {
                    ArrayNode items = JSON.createArrayNode();
                    response.getDaysList().forEach(d -> items.add(tree(d)));
                    return JSON.createObjectNode().set("items", items).toString();
                });
    }

    @GET
    @Path("/{id}/versions")
    @Operation(summary = "Every version of an audience with its definition, newest first")
    public Uni<String> versions(@PathParam("id") String id) {
        return segments.versions(tenant.user(), id).map(response -> {
            ArrayNode items = JSON.createArrayNode();
            response.getVersionsList().forEach(v -> {
                ObjectNode item = (ObjectNode) tree(v);
                replaceDefinition(item);
                items.add(item);
            });
            return JSON.createObjectNode().set("items", items).toString();
        });
    }

    @POST
    @Path("/preview")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "The size a definition would have now, without saving it: {definition}")
    public Uni<String> preview(String body) {
        return segments.preview(tenant.user(), definition(body(body), true))
                .onFailure()
                .transform(SegmentResource::placed)
                .map(ProtoJson::print);
    }

    @GET
    @Path("/overlap")
    @Operation(summary = "The Venn regions of two or three audiences: ?ids=a,b,c")
    public Uni<String> overlap(@QueryParam("ids") String ids) {
        List<String> list = new ArrayList<>();
        if (ids != null) {
            Arrays.stream(ids.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .forEach(list::add);
        }
        if (list.isEmpty() || list.size() > 3) {
            throw ApiException.badRequest("ids", "one to three audience ids, separated by commas");
        }
        return segments.overlap(tenant.user(), list).map(ProtoJson::print);
    }

    @GET
    @Path("/{id}/members/{profileId}")
    @Operation(summary = "Whether a profile is in the audience")
    public Uni<String> member(@PathParam("id") String id, @PathParam("profileId") String profileId) {
        return segments.check(tenant.user(), id, profileId).map(ProtoJson::print);
    }

    @GET
    @Path("/{id}/explain/{profileId}")
    @Operation(summary = "Why a profile is (or is not) in the audience: every condition and what held")
    public Uni<String> explain(@PathParam("id") String id, @PathParam("profileId") String profileId) {
        return segments.explain(tenant.user(), id, profileId).map(ProtoJson::print);
    }

    @GET
    @Path("/{id}/members")
    @Produces("application/x-ndjson")
    @Operation(summary = "The members, streamed: one JSON object a line ({\"profileId\": ...})")
    public Multi<JsonNode> export(@PathParam("id") String id) {
        Multi<JsonNode> members = segments.export(tenant.user(), id)
                .onItem()
                .transformToIterable(chunk -> chunk.getProfileIdsList().stream()
                        .map(p -> (JsonNode) JSON.createObjectNode().put("profileId", p))
                        .toList());
        return RestMulti.fromMultiData(members)
                .header("Content-Disposition", attachment(id, ".jsonl"))
                .build();
    }

    @GET
    @Path("/{id}/members.csv")
    @Produces("text/csv")
    @Operation(summary = "The members, streamed as CSV (one profileId column)")
    public Multi<String> exportCsv(@PathParam("id") String id) {
        Multi<String> rows = segments.export(tenant.user(), id)
                .onItem()
                .transformToIterable(chunk ->
                        chunk.getProfileIdsList().stream().map(p -> p + "\n").toList());
        return RestMulti.fromMultiData(Multi.createBy()
                        .concatenating()
                        .streams(Multi.createFrom().item("profileId\n"), rows))
                .header("Content-Disposition", attachment(id, ".csv"))
                .build();
    }

    private static String attachment(String id, String extension) {
        return "attachment; filename=\"" + id.replaceAll("[^A-Za-z0-9_-]", "_") + extension + "\"";
    }

    @PUT
    @Path("/{id}/members")
    @Consumes({MediaType.APPLICATION_JSON, "text/csv", MediaType.TEXT_PLAIN})
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "A static audience's members: JSON {mode: replace|add|remove, profileIds: [...]}, or a CSV"
                    + " upload of profile ids (first column; ?mode=, replace by default)")
    public Uni<String> setMembers(
            @PathParam("id") String id,
            @QueryParam("mode") String mode,
            @jakarta.ws.rs.HeaderParam("Content-Type") String contentType,
            String body) {
        SetStaticMembersRequest.Builder request =
                SetStaticMembersRequest.newBuilder().setSegmentId(id);
        if (contentType != null && contentType.startsWith(MediaType.APPLICATION_JSON)) {
            JsonNode json = body(body);
            request.setMode(mode(text(json, "mode")));
            JsonNode ids = json.get("profileIds");
            if (ids == null || !ids.isArray()) {
                throw ApiException.badRequest("profileIds", "a list of profile ids");
            }
            for (int i = 0; i < ids.size(); i++) {
                if (!ids.get(i).isTextual() || ids.get(i).asText().isBlank()) {
                    throw ApiException.badRequest("profileIds[" + i + "]", "a profile id");
                }
                request.addProfileIds(ids.get(i).asText());
            }
        } else {
            request.setMode(mode(mode == null ? "" : mode));
            String[] lines = (body == null ? "" : body).split("\r?\n");
            for (int i = 0; i < lines.length; i++) {
                String first = lines[i].split(",", 2)[0].trim().replace("\"", "");
                if (first.isEmpty() || (i == 0 && first.equalsIgnoreCase("profileId"))) {
                    continue;
                }
                request.addProfileIds(first);
            }
            if (request.getProfileIdsCount() == 0) {
                // an upload without ids is a mistake, not "no members": replacing would empty the audience
                throw ApiException.badRequest("body", "the CSV holds no profile ids (first column)");
            }
        }
        return segments.setMembers(tenant.user(), request).map(ProtoJson::print);
    }

    /**
     * A refused definition names the place of the problem inside it ({@code definition.all[2].value},
     * the condition language's own keys), which the API keeps whole rather than as a proto path.
     */
    private static Throwable placed(Throwable error) {
        List<Errors.Violation> violations = Errors.violations(error);
        if (!violations.isEmpty() && violations.get(0).field().startsWith("definition")) {
            return ApiException.badRequest(violations.get(0).field(), Errors.description(error));
        }
        return error;
    }

    private static StaticMode mode(String mode) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "", "replace" -> StaticMode.STATIC_MODE_REPLACE;
            case "add" -> StaticMode.STATIC_MODE_ADD;
            case "remove" -> StaticMode.STATIC_MODE_REMOVE;
            default -> throw ApiException.badRequest("mode", "mode is replace, add or remove");
        };
    }

    private static SegmentState state(String state) {
        return switch (state.toLowerCase(Locale.ROOT)) {
            case "draft" -> SegmentState.SEGMENT_STATE_DRAFT;
            case "active" -> SegmentState.SEGMENT_STATE_ACTIVE;
            case "archived" -> SegmentState.SEGMENT_STATE_ARCHIVED;
            default -> throw ApiException.badRequest("state", "state is draft, active or archived");
        };
    }

    /** An audience as the API shows it: the proto's JSON, its definition as JSON rather than text, lower-case enums. */
    private static ObjectNode segment(Segment s) {
        ObjectNode out = (ObjectNode) tree(s);
        replaceDefinition(out);
        out.put("kind", s.getKind().name().substring("SEGMENT_KIND_".length()).toLowerCase(Locale.ROOT));
        out.put(
                "state",
                s.getState().name().substring("SEGMENT_STATE_".length()).toLowerCase(Locale.ROOT));
        return out;
    }

    private static void replaceDefinition(ObjectNode node) {
        JsonNode definition = node.get("definition");
        if (definition != null && definition.isTextual() && !definition.asText().isEmpty()) {
            try {
                node.set("definition", JSON.readTree(definition.asText()));
            } catch (JsonProcessingException e) {
                // stored definitions are JSON; leave the text as it is
            }
        }
    }

    private static JsonNode tree(MessageOrBuilder message) {
        try {
            return JSON.readTree(ProtoJson.print(message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode body(String body) {
        return RequestBodies.object(body);
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw ApiException.badRequest(field, field + " is text");
        }
        return value.asText();
    }

    /** The definition (a JSON object) as text for the service, which checks it; required when asked. */
    private static String definition(JsonNode json, boolean required) {
        JsonNode definition = json.get("definition");
        if (definition == null || definition.isNull()) {
            if (required) {
                throw ApiException.badRequest("definition", "definition is required");
            }
            return "";
        }
        if (!definition.isObject()) {
            throw ApiException.badRequest("definition", "a definition is a JSON object (docs/segments.md)");
        }
        return definition.toString();
    }
}
