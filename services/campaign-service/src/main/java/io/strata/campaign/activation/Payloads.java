package io.strata.campaign.activation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;

/**
 * What a destination receives for one transition. {@code strata}: {@code {id, type:
 * audience.entered|audience.exited, tenant, audience, profileId, userId?, at}}. {@code segment}: a
 * Segment-spec track event {@code Audience Entered} / {@code Audience Exited} with the audience in
 * {@code properties.audience_key}, the delivery's id as {@code messageId}, the user id (else the
 * profile id as {@code anonymousId}) and the email in {@code context.traits}.
 */
public final class Payloads {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {}

    /** One transition as delivered. */
    public record Transition(
            String deliveryId,
            String tenant,
            String audience,
            String profileId,
            boolean entered,
            Instant at,
            Optional<String> userId,
            Optional<String> email) {}

    public static String body(String format, Transition t) {
        ObjectNode out = JSON.createObjectNode();
        if (format.equals("segment")) {
            out.put("type", "track")
                    .put("event", t.entered() ? "Audience Entered" : "Audience Exited")
                    .put("messageId", t.deliveryId())
                    .put("timestamp", t.at().toString());
            if (t.userId().isPresent()) {
                out.put("userId", t.userId().get());
            } else {
                out.put("anonymousId", t.profileId());
            }
            out.putObject("properties")
                    .put("audience_key", t.audience())
                    .put("audience_id", t.audience())
                    .put("profile_id", t.profileId());
            ObjectNode context = out.putObject("context");
            context.putObject("library").put("name", "strata");
            ObjectNode traits = context.putObject("traits");
            t.email().ifPresent(e -> traits.put("email", e));
            return out.toString();
        }
        out.put("id", t.deliveryId())
                .put("type", t.entered() ? "audience.entered" : "audience.exited")
                .put("tenant", t.tenant())
                .put("audience", t.audience())
                .put("profileId", t.profileId());
        t.userId().ifPresent(u -> out.put("userId", u));
        out.put("at", t.at().toString());
        return out.toString();
    }
}
