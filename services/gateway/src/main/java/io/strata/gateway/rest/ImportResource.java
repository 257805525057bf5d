package io.strata.gateway.rest;

import io.smallrye.common.annotation.Blocking;
import io.strata.gateway.client.HistoryImportClient;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.security.Roles;
import io.strata.proto.ingestion.v1.ImportFormat;
import io.strata.proto.ingestion.v1.ImportSummary;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.time.DateTimeException;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Bulk import of history into a source: the request body is the file itself (an orders CSV or
 * a JSONL of Segment calls, gzip or not, any size), streamed through to ingestion; the answer is
 * the summary once every accepted event is stored. Administrators only.
 */
@Path("/api/v1/sources/{id}/imports")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
@SecurityRequirement(name = "bearer")
public class ImportResource {

    private final HistoryImportClient imports;
    private final TenantContext tenant;

    public ImportResource(HistoryImportClient imports, TenantContext tenant) {
        this.imports = imports;
        this.tenant = tenant;
    }

    public record Rejection(long line, String messageId, String field, String reason) {}

    public record Summary(
            long bytes, long rows, long accepted, long duplicates, long rejectedRows, List<Rejection> rejections) {

        static Summary of(ImportSummary s) {
            return new Summary(
                    s.getBytes(),
                    s.getRows(),
                    s.getAccepted(),
                    s.getDuplicates(),
                    s.getRejectedRows(),
                    s.getRejectionsList().stream()
                            .map(r -> new Rejection(
                                    r.getLine(),
                                    emptyToNull(r.getMessageId()),
                                    emptyToNull(r.getField()),
                                    r.getReason()))
                            .toList());
        }

        private static String emptyToNull(String s) {
            return s.isEmpty() ? null : s;
        }
    }

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary =
                    "Import a history file (orders CSV or Segment JSONL, gzip or not) into the source; "
                            + "the answer lists the rejected rows by line. Importing the same file again publishes nothing twice.")
    public Summary importHistory(
            @PathParam("id") String id,
            @QueryParam("format") String format,
            @QueryParam("zone") @DefaultValue("+08:00") String zone,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            InputStream body)
            throws IOException, InterruptedException {
        String sourceId = SourceResource.uuid(id);
        ImportFormat fmt = format(format, contentType);
        return Summary.of(imports.importFile(tenant.user(), sourceId, fmt, offset(zone), body));
    }

    /**
     * The offset's canonical id. An unencoded {@code +} in a query string reads as a space
     * ({@code ?zone=+08:00} arrives as " 08:00"), so a leading space is taken for the plus.
     */
    static String offset(String zone) {
        String z = zone.startsWith(" ") ? "+" + zone.strip() : zone.strip();
        try {
            return ZoneOffset.of(z).getId();
        } catch (DateTimeException e) {
            throw ApiException.badRequest("zone", "zone must be an offset such as +08:00, not " + zone);
        }
    }

    /** From {@code ?format=}, else from the media type of the body. */
    static ImportFormat format(String format, String contentType) {
        String name = format;
        if (name == null || name.isBlank()) {
            String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
            if (type.startsWith("text/csv")) {
                name = "csv";
            } else if (type.startsWith("application/x-ndjson")
                    || type.startsWith("application/jsonl")
                    || type.startsWith("application/x-jsonlines")) {
                name = "jsonl";
            }
        }
        return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
            case "csv" -> ImportFormat.IMPORT_FORMAT_CSV;
            case "jsonl" -> ImportFormat.IMPORT_FORMAT_JSONL;
            default ->
                throw ApiException.badRequest(
                        "format",
                        "format must be csv or jsonl (or send Content-Type text/csv or application/x-ndjson)");
        };
    }
}
