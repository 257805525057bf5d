package io.strata.profile.domain;

import io.strata.proto.events.v1.Event;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What the profile needs of one accepted event.
 *
 * @param countName   the name its behaviour count goes under: the event name of a track call,
 *                    otherwise the call type ("identify", "page"...)
 * @param traitsJson  traits to merge into the profile as a JSON object, or {@code null}
 * @param timestamp   when it happened (the event's time, not its arrival)
 * @param identities  the event's valid identifiers, most authoritative first
 * @param revenue     the order's revenue when the event is an order ({@code Order Completed}), else null
 * @param facets      what the event shows about the consumer (categories bought, platform...)
 * @param event       the event itself, as it is announced on the change feed
 * @param raw         the event's serialized bytes as they came (copied into the feed's record), or null
 */
public record IncomingEvent(
        String tenant,
        String sourceId,
        String messageId,
        String countName,
        String traitsJson,
        Instant timestamp,
        List<IdentityKey> identities,
        BigDecimal revenue,
        List<Facet> facets,
        Event event,
        byte[] raw) {

    public boolean hasUserId() {
        return identities.stream().anyMatch(id -> id.type() == IdentityType.USER_ID);
    }

    /** The same event with other identifiers (the tenant's blocked values taken out). */
    public IncomingEvent withIdentities(List<IdentityKey> kept) {
        return new IncomingEvent(
                tenant, sourceId, messageId, countName, traitsJson, timestamp, kept, revenue, facets, event, raw);
    }

    /**
     * What an alias call declares to be the same person as its user id: its previous id, as a user
     * id (a brand's former account id); empty for every other event, or an alias without a user id.
     */
    public java.util.Set<IdentityKey> aliases() {
        if (event == null || event.getType() != io.strata.proto.events.v1.EventType.EVENT_TYPE_ALIAS || !hasUserId()) {
            return java.util.Set.of();
        }
        return IdentifierNormalizer.normalize(IdentityType.USER_ID, event.getPreviousId())
                .filter(id -> identities.stream().noneMatch(id::equals))
                .map(java.util.Set::of)
                .orElse(java.util.Set.of());
    }

    /** The event's bytes as ingestion accepted them (kept in the event log). */
    public byte[] bytes() {
        return raw != null ? raw : event.toByteArray();
    }
}
