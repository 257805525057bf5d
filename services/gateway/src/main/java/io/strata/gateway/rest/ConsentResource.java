package io.strata.gateway.rest;

import com.google.protobuf.util.Timestamps;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.ProfileClient;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.security.Roles;
import io.strata.proto.profile.v1.ConsentUpdate;
import io.strata.proto.profile.v1.RefusedRow;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Consent per channel, purpose and sender (an SMS signature, a WeChat app): everyone signed in
 * reads a profile's; marketers and admins record statements.
 */
@Path("/api/v1/consents")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
@SecurityRequirement(name = "bearer")
public class ConsentResource {

    private final ProfileClient profiles;
    private final TenantContext tenant;

    public ConsentResource(ProfileClient profiles, TenantContext tenant) {
        this.profiles = profiles;
        this.tenant = tenant;
    }

    @GET
    @Operation(
            summary = "A profile's consent",
            description = "The profile by profileId or one identifier: userId, anonymousId, email, phone, deviceId, "
                    + "memberId, wechatUnionId, wechatOpenId.")
    public Uni<String> get(@Context UriInfo uri) {
        var query = uri.getQueryParameters();
        return profiles.consents(tenant.user(), ProfileRefs.of(query::getFirst, ""))
                .map(ProtoJson::print);
    }

    /** Statements: each names its profile, channel, purpose, sender (optional), granted, source, at (optional). */
    public record Statements(List<Map<String, Object>> updates) {}

    public record Refused(int row, String field, String reason) {}

    public record SetResult(int applied, List<Refused> refused) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Records consent statements",
            description = "updates: [{\"userId\": \"u1\", \"channel\": \"sms\", \"purpose\": \"marketing\", "
                    + "\"sender\": \"【蓝序】\", \"granted\": false, \"source\": \"sms-reply\", \"at\": \"2026-12-01T08:00:00Z\"}]; "
                    + "the latest statement (by at) wins; rows that cannot be applied are refused one by one.")
    public Uni<SetResult> set(Statements body) {
        if (body == null || body.updates() == null || body.updates().isEmpty()) {
            throw ApiException.badRequest("updates", "updates are required");
        }
        List<ConsentUpdate> updates = new ArrayList<>();
        for (int i = 0; i < body.updates().size(); i++) {
            Map<String, Object> row = body.updates().get(i);
            String at = "updates[" + i + "].";
            if (row == null) {
                throw ApiException.badRequest("updates[" + i + "]", "an update is an object");
            }
            if (!(row.get("granted") instanceof Boolean granted)) {
                throw ApiException.badRequest(at + "granted", "granted is required: true or false");
            }
            ConsentUpdate.Builder update = ConsentUpdate.newBuilder()
                    .setProfile(ProfileRefs.of(name -> text(row.get(name)), at))
                    .setChannel(text(row, "channel"))
                    .setPurpose(text(row, "purpose"))
                    .setSender(text(row, "sender"))
                    .setGranted(granted)
                    .setSource(text(row, "source"));
            String when = text(row, "at");
            if (!when.isEmpty()) {
                try {
                    update.setAt(Timestamps.parse(when));
                } catch (ParseException e) {
                    throw ApiException.badRequest(at + "at", "at is a time like 2026-12-01T08:00:00Z");
                }
            }
            updates.add(update.build());
        }
        return profiles.setConsents(tenant.user(), updates).map(response -> {
            List<Refused> refused = new ArrayList<>();
            for (RefusedRow r : response.getRefusedList()) {
                refused.add(new Refused(r.getRow(), "updates[" + r.getRow() + "]." + r.getField(), r.getReason()));
            }
            return new SetResult(response.getApplied(), refused);
        });
    }

    private static String text(Map<String, Object> row, String name) {
        Object value = row.get(name);
        return value == null ? "" : value.toString();
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
