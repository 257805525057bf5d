package io.strata.gateway.rest;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.TagClient;
import io.strata.gateway.security.SignedIn;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.security.Roles;
import io.strata.proto.profile.v1.ListTagDefinitionsResponse;
import io.strata.proto.profile.v1.RefusedRow;
import io.strata.proto.profile.v1.TagAssignment;
import io.strata.proto.profile.v1.TagDefinition;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * The tenant's tag catalog (docs/tags.md) and tag values. Everyone signed in reads; marketers and
 * admins define tags and set values (as JSON rows, or a CSV upload).
 */
@Path("/api/v1/tags")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
@SecurityRequirement(name = "bearer")
public class TagResource {

    /** Rows per call to profile-service (its limit); a longer upload goes in several calls. */
    static final int ROWS_PER_CALL = 10_000;

    private final TagClient tags;
    private final TenantContext tenant;

    public TagResource(TagClient tags, TenantContext tenant) {
        this.tags = tags;
        this.tenant = tenant;
    }

    @GET
    @Operation(summary = "The tag catalog: the standard tags, then the tenant's own")
    public Uni<String> list(@QueryParam("category") String category, @QueryParam("kind") String kind) {
        return tags.list(tenant.user(), category == null ? "" : category, kind == null ? "" : kind)
                .map(list ->
                        ProtoJson.print(ListTagDefinitionsResponse.newBuilder().addAllDefinitions(list)));
    }

    @GET
    @Path("/counts")
    @Operation(summary = "Per tag, the profiles with a value (and per value of boolean and enum tags)")
    public Uni<String> counts() {
        return tags.count(tenant.user()).map(ProtoJson::print);
    }

    @GET
    @Path("/{key}")
    @Operation(summary = "One tag's definition")
    public Uni<String> get(@PathParam("key") String key) {
        return tags.get(tenant.user(), key).map(ProtoJson::print);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Defines a tag of the tenant's own (a rule tag is then computed for every profile)")
    public Uni<Response> create(String body) {
        TagDefinition definition =
                ProtoJson.parse(body, TagDefinition.newBuilder(), "definition").build();
        return tags.create(tenant.user(), definition)
                .map(created -> Response.status(Response.Status.CREATED)
                        .entity(ProtoJson.print(created))
                        .build());
    }

    @PUT
    @Path("/{key}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Replaces a tag of the tenant's own (its key and kind stay)")
    public Uni<String> update(@PathParam("key") String key, String body) {
        TagDefinition.Builder definition = ProtoJson.parse(body, TagDefinition.newBuilder(), "definition");
        if (!definition.getKey().isEmpty() && !definition.getKey().equals(key)) {
            throw ApiException.badRequest("key", "the body's key is not the path's");
        }
        return tags.update(tenant.user(), definition.setKey(key).build()).map(ProtoJson::print);
    }

    @DELETE
    @Path("/{key}")
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Deletes a tag of the tenant's own; a recompute removes its values")
    public Uni<Response> delete(@PathParam("key") String key) {
        return tags.delete(tenant.user(), key)
                .map(job -> Response.accepted(ProtoJson.print(job)).build());
    }

    @POST
    @Path("/recompute")
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Recomputes every profile's rule tags, in the background")
    public Uni<Response> recompute() {
        return tags.recompute(tenant.user())
                .map(job -> Response.accepted(ProtoJson.print(job)).build());
    }

    @GET
    @Path("/jobs/{id}")
    @Operation(summary = "A recompute's progress")
    public Uni<String> job(@PathParam("id") String id) {
        return tags.job(tenant.user(), id).map(ProtoJson::print);
    }

    /** What a bulk set did: rows applied, profiles changed, and the rows refused. */
    public record SetResult(int applied, int changed, List<Refused> refused) {}

    /**
     * A row not applied: its index among the rows, its line in a CSV upload (the header is line
     * 1), the field at fault and why.
     */
    public record Refused(int row, Integer line, String field, String reason) {}

    /** JSON rows: each names its profile (profileId or one identifier) and a value, or remove: true. */
    public record ValueRows(List<Map<String, Object>> rows) {}

    @POST
    @Path("/{key}/values")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Sets a manual tag's values",
            description =
                    "rows: [{\"userId\": \"u1\", \"value\": \"true\"}, {\"email\": \"a@b.cn\", \"remove\": true}]; "
                            + "a profile is named by profileId or one of userId, anonymousId, email, phone, deviceId, memberId, "
                            + "wechatUnionId, wechatOpenId. Rows that cannot be applied are refused one by one.")
    public Uni<SetResult> setValues(@PathParam("key") String key, ValueRows body) {
        if (body == null || body.rows() == null || body.rows().isEmpty()) {
            throw ApiException.badRequest("rows", "rows are required");
        }
        Rows rows = new Rows(false);
        for (int i = 0; i < body.rows().size(); i++) {
            Map<String, Object> row = body.rows().get(i);
            if (row == null) {
                rows.refuse(i, "", "a row is an object");
            } else {
                rows.add(i, name -> text(row.get(name)), Boolean.TRUE.equals(row.get("remove")));
            }
        }
        return set(tenant.user(), key, rows, "manual");
    }

    @POST
    @Path("/{key}/values")
    @Consumes({"text/csv", MediaType.TEXT_PLAIN})
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Sets a manual tag's values from a CSV upload",
            description = "A header line naming one profile column (profileId, userId, anonymousId, email, phone, "
                    + "deviceId, memberId, wechatUnionId or wechatOpenId) and value; an optional remove column "
                    + "(true removes the tag). UTF-8, comma-separated, quoted as RFC 4180.")
    public Uni<SetResult> upload(@PathParam("key") String key, String csv) {
        if (csv == null || csv.isBlank()) {
            throw ApiException.badRequest("body", "the CSV is empty");
        }
        Rows rows = new Rows(true);
        try (CSVParser parser = CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setIgnoreSurroundingSpaces(true)
                .get()
                .parse(new StringReader(csv.startsWith("\uFEFF") ? csv.substring(1) : csv))) {
            List<String> header = parser.getHeaderNames();
            if (header.stream().noneMatch(ProfileRefs.NAMES::contains)) {
                throw ApiException.badRequest(
                        "header", "the header names no profile column (" + String.join(", ", ProfileRefs.NAMES) + ")");
            }
            boolean hasRemove = header.contains("remove");
            if (!header.contains("value") && !hasRemove) {
                throw ApiException.badRequest("header", "the header names no value column");
            }
            int i = 0;
            for (CSVRecord record : parser) {
                boolean remove = hasRemove
                        && record.isSet("remove")
                        && "true".equalsIgnoreCase(record.get("remove").strip());
                rows.add(i++, name -> record.isMapped(name) && record.isSet(name) ? record.get(name) : null, remove);
            }
        } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            throw ApiException.badRequest("body", "the CSV cannot be read: " + e.getMessage());
        }
        if (rows.count == 0) {
            throw ApiException.badRequest("body", "the CSV has no rows");
        }
        return set(tenant.user(), key, rows, "import");
    }

    /**
     * The rows of a request: those to send (with their index in the request), and those refused
     * here already (no profile named, no value), each refused on its own as the service refuses.
     */
    private static final class Rows {
        final boolean csv;
        final List<TagAssignment> sent = new ArrayList<>();
        final List<Integer> index = new ArrayList<>();
        final List<Refused> refused = new ArrayList<>();
        int count;

        Rows(boolean csv) {
            this.csv = csv;
        }

        void add(int row, java.util.function.Function<String, String> value, boolean remove) {
            count++;
            TagAssignment.Builder assignment = TagAssignment.newBuilder().setRemove(remove);
            try {
                assignment.setProfile(ProfileRefs.of(value, ""));
            } catch (ApiException e) {
                refuse(row, e.field(), e.getMessage());
                return;
            }
            if (!remove) {
                String v = value.apply("value");
                if (v == null || v.isBlank()) {
                    refuse(row, "value", "value is required (or remove: true)");
                    return;
                }
                assignment.setValue(v);
            }
            sent.add(assignment.build());
            index.add(row);
        }

        void refuse(int row, String field, String reason) {
            count++;
            refused.add(refusal(row, field, reason));
        }

        Refused refusal(int row, String field, String reason) {
            return csv
                    ? new Refused(row, row + 2, field, reason)
                    : new Refused(row, null, "rows[" + row + "]" + (field.isEmpty() ? "" : "." + field), reason);
        }
    }

    /** The rows in calls of at most {@link #ROWS_PER_CALL}, one after the other; the results added up. */
    private Uni<SetResult> set(SignedIn user, String key, Rows rows, String source) {
        List<Integer> starts = new ArrayList<>();
        for (int from = 0; from < rows.sent.size(); from += ROWS_PER_CALL) {
            starts.add(from);
        }
        int[] totals = {0, 0};
        List<Refused> refused = new ArrayList<>(rows.refused);
        return Multi.createFrom()
                .iterable(starts)
                .onItem()
                .transformToUniAndConcatenate(from -> tags.set(
                                user,
                                key,
                                rows.sent.subList(from, Math.min(rows.sent.size(), from + ROWS_PER_CALL)),
                                source)
                        .invoke(response -> {
                            totals[0] += response.getApplied();
                            totals[1] += response.getChanged();
                            for (RefusedRow r : response.getRefusedList()) {
                                refused.add(
                                        rows.refusal(rows.index.get(from + r.getRow()), r.getField(), r.getReason()));
                            }
                        }))
                .collect()
                .last()
                .map(last -> {
                    refused.sort(java.util.Comparator.comparingInt(Refused::row));
                    return new SetResult(totals[0], totals[1], refused);
                });
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
