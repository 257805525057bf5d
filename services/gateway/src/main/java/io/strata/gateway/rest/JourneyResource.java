package io.strata.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.client.CampaignClient;
import io.strata.gateway.security.TenantContext;
import io.strata.platform.security.Roles;
import io.strata.proto.campaign.v1.JourneyStatus;
import io.strata.proto.campaign.v1.ListJourneyInstancesRequest;
import io.strata.proto.campaign.v1.Template;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Journeys, their experiments, templates, senders and the send policy (docs/journeys.md):
 * marketers and admins edit, publish, pause and archive; every role of the tenant reads. A journey
 * travels as its definition JSON; the answers are the contract's messages in the API's spelling.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.ANALYST, Roles.MARKETER, Roles.ADMIN})
@SecurityRequirement(name = "bearer")
public class JourneyResource {

    private final CampaignClient campaign;
    private final TenantContext tenant;

    public JourneyResource(CampaignClient campaign, TenantContext tenant) {
        this.campaign = campaign;
        this.tenant = tenant;
    }

    @GET
    @Path("/journeys")
    @Operation(summary = "The tenant's journeys: {journeys: [{key, name, status, draft, liveVersion, versions, …}]}")
    public Uni<String> list() {
        return campaign.list(tenant.user()).map(ProtoJson::print);
    }

    @POST
    @Path("/journeys")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Saves a journey's draft (its definition, docs/journeys.md; the key inside names it), checked as"
                    + " for publishing: 400 naming each node and field at fault")
    public Uni<String> save(String body) {
        return campaign.save(tenant.user(), RequestBodies.object(body).toString())
                .map(ProtoJson::print);
    }

    @PUT
    @Path("/journeys/{key}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Saves the draft of the journey {key} (the definition's key must be {key})")
    public Uni<String> update(@PathParam("key") String key, String body) {
        JsonNode json = RequestBodies.object(body);
        if (!key.equals(json.path("key").asText())) {
            throw ApiException.badRequest("key", "the definition's key must be " + key);
        }
        return campaign.save(tenant.user(), json.toString()).map(ProtoJson::print);
    }

    @POST
    @Path("/journeys/validate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Checks a definition without saving it: {valid, violations: [{node, field, message}]}")
    public Uni<String> validate(String body) {
        return campaign.validate(tenant.user(), RequestBodies.object(body).toString())
                .map(ProtoJson::print);
    }

    @GET
    @Path("/journeys/{key}")
    @Operation(summary = "A journey with every published version's definition")
    public Uni<String> get(@PathParam("key") String key) {
        return campaign.get(tenant.user(), key).map(ProtoJson::print);
    }

    @POST
    @Path("/journeys/{key}/publish")
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Publishes the draft as the next version: {journey, version}; running instances stay on theirs")
    public Uni<String> publish(@PathParam("key") String key) {
        return campaign.publish(tenant.user(), key).map(ProtoJson::print);
    }

    @POST
    @Path("/journeys/{key}/pause")
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Pauses a published journey: no new entries; running instances go on")
    public Uni<String> pause(@PathParam("key") String key) {
        return campaign.status(tenant.user(), key, JourneyStatus.JOURNEY_STATUS_PAUSED)
                .map(ProtoJson::print);
    }

    @POST
    @Path("/journeys/{key}/resume")
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Resumes a paused journey")
    public Uni<String> resume(@PathParam("key") String key) {
        return campaign.status(tenant.user(), key, JourneyStatus.JOURNEY_STATUS_PUBLISHED)
                .map(ProtoJson::print);
    }

    @POST
    @Path("/journeys/{key}/archive")
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Archives a journey for good; its running instances end: {journey, instancesEnded}")
    public Uni<String> archive(@PathParam("key") String key) {
        return campaign.status(tenant.user(), key, JourneyStatus.JOURNEY_STATUS_ARCHIVED)
                .map(ProtoJson::print);
    }

    @GET
    @Path("/journeys/{key}/stats")
    @Operation(
            summary = "Per version (?version=, default all) and node: entered, exited (totals and profiles), waiting;"
                    + " instances by status, messages by status, suppressions by reason, conversions per goal")
    public Uni<String> stats(@PathParam("key") String key, @QueryParam("version") String version) {
        return campaign.stats(tenant.user(), key, ApiException.intParam("version", version, 0, 0, Integer.MAX_VALUE))
                .map(ProtoJson::print);
    }

    @GET
    @Path("/journeys/{key}/instances")
    @Operation(
            summary = "Who is in the journey: ?node= (at it now), ?status=ACTIVE|COMPLETED|EXITED (repeatable),"
                    + " ?pageSize= (≤ 1,000), ?pageToken=; newest first")
    public Uni<String> instances(
            @PathParam("key") String key,
            @QueryParam("node") String node,
            @QueryParam("status") java.util.List<String> statuses,
            @QueryParam("pageSize") String pageSize,
            @QueryParam("pageToken") String pageToken) {
        var request = ListJourneyInstancesRequest.newBuilder()
                .setKey(key)
                .setNode(node == null ? "" : node)
                .setPageSize(ApiException.intParam("pageSize", pageSize, 100, 1, 1000))
                .setPageToken(pageToken == null ? "" : pageToken);
        if (statuses != null) {
            request.addAllStatuses(statuses);
        }
        return campaign.instances(tenant.user(), request).map(ProtoJson::print);
    }

    @GET
    @Path("/profiles/{id}/journeys")
    @Operation(summary = "A profile's journeys and their steps (the latest 1,000)")
    public Uni<String> profile(@PathParam("id") String id) {
        return campaign.profile(tenant.user(), id).map(ProtoJson::print);
    }

    @GET
    @Path("/experiments/{key}")
    @Operation(
            summary = "A journey's experiments (?version=, default the live one; ?alpha=, default 0.05): per split and"
                    + " arm exposures, conversions, lift against the control with its interval, z, p (Holm-adjusted"
                    + " beyond two arms), the sample-ratio check, and a verdict (none below 50 exposures or 5"
                    + " conversions per arm)")
    public Uni<String> experiment(
            @PathParam("key") String key, @QueryParam("version") String version, @QueryParam("alpha") String alpha) {
        double a = 0.05;
        if (alpha != null && !alpha.isBlank()) {
            try {
                a = Double.parseDouble(alpha);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("alpha", "a significance level such as 0.05");
            }
        }
        return campaign.experiment(
                        tenant.user(), key, ApiException.intParam("version", version, 0, 0, Integer.MAX_VALUE), a)
                .map(ProtoJson::print);
    }

    @GET
    @Path("/templates")
    @Operation(summary = "The message templates per channel and the approved senders: {templates, senders}")
    public Uni<String> templates() {
        return campaign.templates(tenant.user()).map(ProtoJson::print);
    }

    @PUT
    @Path("/templates/{channel}/{template}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary =
                    "Sets a template: {body, approved}; whether it carries an opt-out instruction is read from the body")
    public Uni<String> setTemplate(
            @PathParam("channel") String channel, @PathParam("template") String template, String body) {
        JsonNode json = RequestBodies.object(body);
        JsonNode approved = json.get("approved");
        if (approved != null && !approved.isBoolean()) {
            throw ApiException.badRequest("approved", "true or false");
        }
        return campaign.setTemplate(
                        tenant.user(),
                        Template.newBuilder()
                                .setChannel(channel)
                                .setTemplate(template)
                                .setBody(json.path("body").asText(""))
                                .setApproved(approved != null && approved.asBoolean())
                                .build())
                .map(ProtoJson::print);
    }

    @PUT
    @Path("/senders/{channel}/{sender}")
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Approves a sender of a channel (an SMS signature, an app, an official account)")
    public Uni<String> approveSender(@PathParam("channel") String channel, @PathParam("sender") String sender) {
        return campaign.setSender(tenant.user(), channel, sender, true).map(ProtoJson::print);
    }

    @DELETE
    @Path("/senders/{channel}/{sender}")
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(summary = "Withdraws a sender")
    public Uni<String> withdrawSender(@PathParam("channel") String channel, @PathParam("sender") String sender) {
        return campaign.setSender(tenant.user(), channel, sender, false).map(ProtoJson::print);
    }

    @GET
    @Path("/send-policy")
    @Operation(summary = "The send policy: {policy (JSON), defaults (true: the tenant has none of its own)}")
    public Uni<String> policy() {
        return campaign.policy(tenant.user()).map(ProtoJson::print);
    }

    @PUT
    @Path("/send-policy")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Sets the send policy: {quietHours: {channel: {start, end}}, deferInQuietHours, doNotDisturb:"
                    + " [dates], caps: [{name, scope, value, limit, rolling|calendar}], globalControlShare, zone}")
    public Uni<String> setPolicy(String body) {
        return campaign.setPolicy(tenant.user(), RequestBodies.object(body).toString())
                .map(ProtoJson::print);
    }

    @GET
    @Path("/journey-clock")
    @Operation(
            summary = "The journey clock: {heldAt (while held), now (the journeys' time), due (timers due by then),"
                    + " queued (sends waiting for a provider)}")
    public Uni<String> clock() {
        return campaign.clock(tenant.user()).map(ProtoJson::print);
    }

    @PUT
    @Path("/journey-clock")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(
            summary =
                    "Holds the journey clock at {heldAt} (replaying history, a demo brand): timers fire up to it, each"
                            + " at its own due time")
    public Uni<String> holdClock(String body) {
        JsonNode held = RequestBodies.object(body).path("heldAt");
        if (!held.isTextual()) {
            throw ApiException.badRequest("heldAt", "heldAt is required: a time like 2026-11-01T00:00:00Z");
        }
        com.google.protobuf.Timestamp at;
        try {
            at = com.google.protobuf.util.Timestamps.parse(held.asText());
        } catch (java.text.ParseException e) {
            throw ApiException.badRequest("heldAt", "heldAt is a time like 2026-11-01T00:00:00Z");
        }
        return campaign.setClock(tenant.user(), at).map(ProtoJson::print);
    }

    @DELETE
    @Path("/journey-clock")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Releases the journey clock to the wall clock")
    public Uni<String> releaseClock() {
        return campaign.setClock(tenant.user(), null).map(ProtoJson::print);
    }

    @POST
    @Path("/messages/receipts")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Delivery receipts from a channel's provider",
            description = "{receipts: [{sendKey | providerId, status: delivered|undelivered, detail?, at?}]};"
                    + " answers {applied, refused: [{row, field, reason}]}")
    public Uni<String> receipts(String body) {
        var request = ProtoJson.parse(
                RequestBodies.withoutTenant(body),
                io.strata.proto.campaign.v1.RecordDeliveryReceiptsRequest.newBuilder(),
                "request");
        return campaign.receipts(tenant.user(), request).map(ProtoJson::print);
    }

    @POST
    @Path("/messages/replies")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Replies people sent to messages: an SMS T, TD, R or 退订 opts them out of the sender's marketing",
            description = "{replies: [{channel, from, sender?, text, at?, messageId?}]};"
                    + " answers {applied, optedOut, unknownAddress, refused: [{row, field, reason}]}")
    public Uni<String> replies(String body) {
        var request = ProtoJson.parse(
                RequestBodies.withoutTenant(body),
                io.strata.proto.campaign.v1.RecordRepliesRequest.newBuilder(),
                "request");
        return campaign.replies(tenant.user(), request).map(ProtoJson::print);
    }

    @GET
    @Path("/broadcasts")
    @Operation(
            summary = "Broadcasts and their runs: {runs: [{journeyKey, version, audience, scheduledAt, status, members,"
                    + " started, startedAt, finishedAt}]}")
    public Uni<String> broadcasts() {
        return campaign.broadcasts(tenant.user()).map(ProtoJson::print);
    }

    @POST
    @Path("/broadcasts")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.MARKETER, Roles.ADMIN})
    @Operation(
            summary = "Sends a message to everyone in an audience, now or at a time",
            description =
                    "{key, name, audience, channel, template, sender?, transactional?, at?, arms?: [{name, weight,"
                            + " control?}], goalEvent?, goalWithin? (e.g. P7D)}: written as the journey trigger broadcast → split"
                            + " → send → goal → exit and published; its counts and results are the journey's")
    public Uni<String> createBroadcast(String body) {
        var request = ProtoJson.parse(
                RequestBodies.withoutTenant(body),
                io.strata.proto.campaign.v1.CreateBroadcastRequest.newBuilder(),
                "request");
        return campaign.createBroadcast(tenant.user(), request).map(ProtoJson::print);
    }

    @POST
    @Path("/broadcasts/preview")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Who a broadcast would reach now, writing nothing",
            description = "{audience, channel, template?, sender?, transactional?}; answers {members, reachable,"
                    + " deferred, noAddress, suppressed: {reason: count}, sample: [profile ids], truncated}")
    public Uni<String> previewBroadcast(String body) {
        var request = ProtoJson.parse(
                RequestBodies.withoutTenant(body),
                io.strata.proto.campaign.v1.PreviewBroadcastRequest.newBuilder(),
                "request");
        return campaign.previewBroadcast(tenant.user(), request).map(ProtoJson::print);
    }

    @GET
    @Path("/destinations")
    @Operation(
            summary = "Audience activation destinations (webhooks) with their queues: {destinations: [{id, name, url,"
                    + " format, audiences, enabled, queue: {queued, delivered, failed, oldestQueued, lastError}}]}")
    public Uni<String> destinations() {
        return campaign.destinations(tenant.user()).map(ProtoJson::print);
    }

    @PUT
    @Path("/destinations/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(
            summary = "Creates or changes a destination: audience enters and exits POSTed to its url, signed",
            description = "{name?, url, format?: strata|segment, audiences?: [ids] (none: every audience), enabled?"
                    + " (default true), rotateSecret?}; the answer shows the signing secret when it was just made")
    public Uni<String> setDestination(@PathParam("id") String id, String body) {
        JsonNode json = RequestBodies.object(RequestBodies.withoutTenant(body));
        var destination = io.strata.proto.campaign.v1.Destination.newBuilder();
        if (json.has("id") && !json.path("id").asText().equals(id)) {
            throw ApiException.badRequest("id", "the id is the path's");
        }
        var fields = ((com.fasterxml.jackson.databind.node.ObjectNode) json.deepCopy());
        boolean rotate = fields.path("rotateSecret").asBoolean(false);
        fields.remove("rotateSecret");
        fields.remove("id");
        fields.remove("secret");
        fields.remove("queue");
        if (!fields.has("enabled")) {
            fields.put("enabled", true);
        }
        ProtoJson.parse(fields.toString(), destination, "destination").setId(id);
        return campaign.setDestination(
                        tenant.user(),
                        io.strata.proto.campaign.v1.SetDestinationRequest.newBuilder()
                                .setDestination(destination)
                                .setRotateSecret(rotate))
                .map(ProtoJson::print);
    }

    @DELETE
    @Path("/destinations/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Deletes a destination and its queue")
    public Uni<String> deleteDestination(@PathParam("id") String id) {
        return campaign.deleteDestination(tenant.user(), id).map(ProtoJson::print);
    }

    @POST
    @Path("/destinations/{id}/replay")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(
            summary = "Delivers again every audience transition kept since {from} (e.g. 2026-12-01T00:00:00Z)",
            description = "answers {queued}; the receiver sees the same delivery ids again")
    public Uni<String> replayDestination(@PathParam("id") String id, String body) {
        JsonNode from = RequestBodies.object(body).path("from");
        com.google.protobuf.Timestamp at;
        try {
            at = com.google.protobuf.util.Timestamps.parse(from.asText(""));
        } catch (java.text.ParseException e) {
            throw ApiException.badRequest("from", "from is a time like 2026-12-01T00:00:00Z");
        }
        return campaign.replayDestination(tenant.user(), id, at).map(ProtoJson::print);
    }
}
