package io.strata.profile.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.strata.profile.consent.Consents;
import io.strata.profile.domain.Behaviour;
import io.strata.profile.domain.Facet;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IncomingEvent;
import io.strata.profile.domain.ProfileState;
import io.strata.profile.tags.ProfileTags;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.profile.v1.Consent;
import io.strata.proto.profile.v1.EventRef;
import io.strata.proto.profile.v1.EventStats;
import io.strata.proto.profile.v1.FacetStats;
import io.strata.proto.profile.v1.OrderStats;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileDeleted;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.profile.v1.ProfileMerged;
import io.strata.proto.profile.v1.ProfileSnapshot;
import io.strata.proto.profile.v1.ProfileUnmerged;
import io.strata.proto.profile.v1.ProfileUpdated;
import io.strata.proto.profile.v1.TagValue;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The change feed's records (proto) from what a batch committed, and behaviour as the API shows it. */
public final class FeedMapper {

    private FeedMapper() {}

    /**
     * An applied event, with the profile it resolved to, as a serialized {@link ProfileEvent}. The
     * event's bytes as they came from Kafka are copied in as they are (a message field is its
     * serialized bytes), not parsed and serialized again.
     */
    public static byte[] event(IncomingEvent event, UUID profile, Instant now) {
        if (event.raw() == null) {
            return ProfileEvent.newBuilder()
                    .setTenant(event.tenant())
                    .setProfileId(profile.toString())
                    .setEvent(event.event())
                    .setAppliedAt(ProfileMapper.timestamp(now))
                    .build()
                    .toByteArray();
        }
        return encode(event.tenant(), profile, event.raw(), ProfileMapper.timestamp(now), null);
    }

    /**
     * An event of a merged profile announced again under the profile it was merged into (its bytes
     * from the event log copied in as they are, its first commit time kept).
     */
    public static byte[] movedEvent(String tenant, UUID into, UUID mergedFrom, byte[] payload, Instant appliedAt) {
        return encode(tenant, into, payload, ProfileMapper.timestamp(appliedAt), mergedFrom.toString());
    }

    /** A {@link ProfileEvent} written field by field, the event's bytes copied in whole. */
    private static byte[] encode(String tenant, UUID profile, byte[] event, Timestamp appliedAt, String mergedFrom) {
        String profileId = profile.toString();
        int size = CodedOutputStream.computeStringSize(ProfileEvent.TENANT_FIELD_NUMBER, tenant)
                + CodedOutputStream.computeStringSize(ProfileEvent.PROFILE_ID_FIELD_NUMBER, profileId)
                + CodedOutputStream.computeByteArraySize(ProfileEvent.EVENT_FIELD_NUMBER, event)
                + CodedOutputStream.computeMessageSize(ProfileEvent.APPLIED_AT_FIELD_NUMBER, appliedAt)
                + (mergedFrom == null
                        ? 0
                        : CodedOutputStream.computeStringSize(
                                ProfileEvent.MERGED_FROM_PROFILE_ID_FIELD_NUMBER, mergedFrom));
        byte[] bytes = new byte[size];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeString(ProfileEvent.TENANT_FIELD_NUMBER, tenant);
            out.writeString(ProfileEvent.PROFILE_ID_FIELD_NUMBER, profileId);
            out.writeByteArray(ProfileEvent.EVENT_FIELD_NUMBER, event);
            out.writeMessage(ProfileEvent.APPLIED_AT_FIELD_NUMBER, appliedAt);
            if (mergedFrom != null) {
                out.writeString(ProfileEvent.MERGED_FROM_PROFILE_ID_FIELD_NUMBER, mergedFrom);
            }
            out.checkNoSpaceLeft();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes;
    }

    /** A tag's value as the feed and the API carry it. */
    public static TagValue tagValue(ProfileTags.Entry entry) {
        TagValue.Builder value = TagValue.newBuilder().setSource(entry.source());
        if (!entry.source().equals("rule")) {
            value.setSetAt(ProfileMapper.timestamp(Instant.ofEpochMilli(entry.at())));
        }
        JsonNode v = entry.value();
        if (v.isBoolean()) {
            value.setBoolValue(v.booleanValue());
        } else if (v.isNumber()) {
            value.setNumberValue(v.doubleValue());
        } else if (v.asText().length() == 10 && v.asText().matches("\\d{4}-\\d{2}-\\d{2}")) {
            value.setDateValue(v.asText());
        } else {
            value.setEnumValue(v.asText());
        }
        return value.build();
    }

    public static Consent consent(Consents.Entry entry) {
        return Consent.newBuilder()
                .setChannel(entry.scope().channel())
                .setPurpose(entry.scope().purpose())
                .setSender(entry.scope().sender())
                .setGranted(entry.granted())
                .setSource(entry.source())
                .setAt(ProfileMapper.timestamp(Instant.ofEpochMilli(entry.at())))
                .build();
    }

    /** A deleted profile's last record. */
    public static ProfileChange deleted(String tenant, UUID profile, long version, UUID request, Instant now) {
        return change(tenant, profile, version, now)
                .setDeleted(ProfileDeleted.newBuilder().setRequestId(request.toString()))
                .build();
    }

    /** What changed on the profile since its changes were last cleared, at its new version. */
    public static ProfileChange updated(String tenant, ProfileState state, long version, Instant now) {
        ProfileUpdated.Builder updated = ProfileUpdated.newBuilder().setCreated(state.isCreated());
        for (String key : state.changedTraits()) {
            updated.putTraits(key, value(state.traits().values().get(key)));
        }
        for (IdentityKey identity : state.identitiesAdded()) {
            updated.addIdentitiesAdded(Identity.newBuilder()
                    .setType(ProfileMapper.toProto(identity.type()))
                    .setValue(identity.value()));
        }
        Behaviour behaviour = state.behaviour();
        Behaviour.Changes changes = state.behaviourChanges();
        for (String name : changes.events) {
            updated.putEvents(name, stats(behaviour.events.get(name), null));
        }
        if (changes.orders && behaviour.orders != null) {
            updated.setOrders(orders(behaviour.orders));
        }
        for (Facet facet : changes.facets) {
            Behaviour.Stats stats = behaviour.facet(facet);
            if (stats != null) {
                updated.addFacets(facet(facet.dimension(), facet.value(), stats));
            }
        }
        if (state.firstSeen() != null) {
            updated.setFirstSeen(ProfileMapper.timestamp(state.firstSeen()));
            updated.setLastSeen(ProfileMapper.timestamp(state.lastSeen()));
        }
        for (String key : state.tags().changed()) {
            ProfileTags.Entry entry = state.tags().get(key);
            if (entry == null) {
                updated.addTagsRemoved(key);
            } else {
                updated.putTags(key, tagValue(entry));
            }
        }
        if (state.consentsDirty()) {
            for (String key : state.consents().changed()) {
                updated.addConsents(consent(state.consents().entries().get(key)));
            }
        }
        return change(tenant, state.id(), version, now).setUpdated(updated).build();
    }

    /** The profile {@code source} was folded into {@code into}; announced under the source's key. */
    public static ProfileChange merged(String tenant, UUID source, long version, UUID into, Instant now) {
        return change(tenant, source, version, now)
                .setMerged(ProfileMerged.newBuilder().setIntoProfileId(into.toString()))
                .build();
    }

    /** One side of an undone merge, with the whole profile as it now is. */
    public static ProfileChange unmerged(
            String tenant,
            UUID profile,
            long version,
            UUID other,
            boolean restored,
            ProfileSnapshot snapshot,
            List<EventRef> moved,
            Instant now) {
        return change(tenant, profile, version, now)
                .setUnmerged(ProfileUnmerged.newBuilder()
                        .setOtherProfileId(other.toString())
                        .setRestored(restored)
                        .setProfile(snapshot)
                        .addAllMovedEvents(moved))
                .build();
    }

    /** The whole profile at its version, sent again. */
    public static ProfileChange resent(
            String tenant, UUID profile, long version, ProfileSnapshot snapshot, Instant now) {
        return change(tenant, profile, version, now).setSnapshot(snapshot).build();
    }

    /** Everything of the profile a consumer may copy. */
    public static ProfileSnapshot snapshot(ProfileState state, List<IdentityKey> identities) {
        ProfileSnapshot.Builder snapshot = ProfileSnapshot.newBuilder();
        for (IdentityKey identity : identities) {
            snapshot.addIdentities(Identity.newBuilder()
                    .setType(ProfileMapper.toProto(identity.type()))
                    .setValue(identity.value()));
        }
        state.traits().values().fields().forEachRemaining(e -> snapshot.putTraits(e.getKey(), value(e.getValue())));
        // as on every record of the feed, without the rolling windows (they move with the day, not the profile)
        snapshot.setBehaviour(behaviour(state.behaviour(), null));
        state.tags().entries().forEach((key, entry) -> snapshot.putTags(key, tagValue(entry)));
        state.consents().entries().values().forEach(entry -> snapshot.addConsents(consent(entry)));
        if (state.firstSeen() != null) {
            snapshot.setFirstSeen(ProfileMapper.timestamp(state.firstSeen()));
            snapshot.setLastSeen(ProfileMapper.timestamp(state.lastSeen()));
        }
        return snapshot.build();
    }

    private static ProfileChange.Builder change(String tenant, UUID profile, long version, Instant now) {
        return ProfileChange.newBuilder()
                .setTenant(tenant)
                .setProfileId(profile.toString())
                .setChangeId(profile + "/" + version)
                .setVersion(version)
                .setChangedAt(ProfileMapper.timestamp(now));
    }

    /** The whole behaviour, with the rolling windows ending {@code today} (none when null). */
    public static io.strata.proto.profile.v1.Behaviour behaviour(Behaviour behaviour, Integer today) {
        io.strata.proto.profile.v1.Behaviour.Builder out = io.strata.proto.profile.v1.Behaviour.newBuilder();
        behaviour.events.forEach((name, stats) -> out.putEvents(name, stats(stats, today)));
        if (behaviour.orders != null && behaviour.orders.n > 0) {
            out.setOrders(orders(behaviour.orders));
        }
        behaviour.facets.forEach(
                (dimension, values) -> values.forEach((value, stats) -> out.addFacets(facet(dimension, value, stats))));
        return out.build();
    }

    /** An event name's stats; with the rolling windows when {@code today} is given. */
    static EventStats stats(Behaviour.Stats stats, Integer today) {
        EventStats.Builder out = EventStats.newBuilder()
                .setCount(stats.n)
                .setFirstAt(millis(stats.first))
                .setLastAt(millis(stats.last));
        if (stats.daily != null) {
            for (Map.Entry<Integer, Long> day : stats.daily.entrySet()) {
                out.putDaily(day.getKey(), day.getValue());
            }
        }
        if (today != null) {
            out.setLast7Days(stats.window(today, 7))
                    .setLast30Days(stats.window(today, 30))
                    .setLast90Days(stats.window(today, 90))
                    .setLast365Days(stats.window(today, 365));
        }
        return out.build();
    }

    static OrderStats orders(Behaviour.Orders orders) {
        OrderStats.Builder out = OrderStats.newBuilder()
                .setOrders(orders.n)
                .setRevenue(orders.revenue.doubleValue())
                .setAverageOrderValue(orders.average().doubleValue())
                .setFirstOrderAt(millis(orders.first))
                .setLastOrderAt(millis(orders.last))
                .setPurchaseDays(orders.days.size());
        out.addAllPurchaseDayList(orders.days);
        return out.build();
    }

    static FacetStats facet(String dimension, String value, Behaviour.Stats stats) {
        return FacetStats.newBuilder()
                .setDimension(dimension)
                .setValue(value)
                .setCount(stats.n)
                .setFirstAt(millis(stats.first))
                .setLastAt(millis(stats.last))
                .build();
    }

    private static Timestamp millis(long millis) {
        return ProfileMapper.timestamp(Instant.ofEpochMilli(millis));
    }

    private static Value value(JsonNode node) {
        Value.Builder value = Value.newBuilder();
        try {
            JsonFormat.parser().merge(node == null ? "null" : node.toString(), value);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a trait is not JSON: " + e.getMessage(), e);
        }
        return value.build();
    }
}
