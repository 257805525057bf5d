package io.strata.profile.mapping;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileSummary;
import io.strata.profile.domain.ProfileView;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.profile.v1.EventTotal;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.SummarizeProfilesResponse;

/** Between the profile read model and its proto message. */
public final class ProfileMapper {

    private static final String PREFIX = "IDENTITY_TYPE_";

    private ProfileMapper() {}

    public static Profile toProto(ProfileView view) {
        Profile.Builder builder = Profile.newBuilder()
                .setId(view.id().toString())
                .setTenant(view.tenant())
                .setTraits(traits(view.traitsJson()))
                .setCreatedAt(timestamp(view.createdAt()))
                .setUpdatedAt(timestamp(view.updatedAt()));
        if (view.firstSeen() != null) {
            builder.setFirstSeen(timestamp(view.firstSeen()));
        }
        if (view.lastSeen() != null) {
            builder.setLastSeen(timestamp(view.lastSeen()));
        }
        for (IdentityKey identity : view.identities()) {
            builder.addIdentities(
                    Identity.newBuilder().setType(toProto(identity.type())).setValue(identity.value()));
        }
        builder.putAllEventCounts(view.counts());
        builder.setBehaviour(FeedMapper.behaviour(view.behaviour(), view.today()));
        builder.setVersion(view.version());
        io.strata.profile.tags.ProfileTags.parse(view.tagsJson())
                .entries()
                .forEach((key, entry) -> builder.putTags(key, FeedMapper.tagValue(entry)));
        io.strata.profile.consent.Consents.parse(view.consentsJson())
                .entries()
                .values()
                .forEach(entry -> builder.addConsents(FeedMapper.consent(entry)));
        return builder.build();
    }

    public static io.strata.proto.common.v1.IdentityType toProto(IdentityType type) {
        return io.strata.proto.common.v1.IdentityType.valueOf(PREFIX + type.name());
    }

    /** @throws IllegalArgumentException for an unspecified or unknown type */
    public static IdentityType fromProto(io.strata.proto.common.v1.IdentityType type) {
        if (type == io.strata.proto.common.v1.IdentityType.IDENTITY_TYPE_UNSPECIFIED
                || type == io.strata.proto.common.v1.IdentityType.UNRECOGNIZED) {
            throw new IllegalArgumentException("identity.type is required");
        }
        return IdentityType.valueOf(type.name().substring(PREFIX.length()));
    }

    public static SummarizeProfilesResponse toProto(ProfileSummary summary) {
        SummarizeProfilesResponse.Builder out = SummarizeProfilesResponse.newBuilder()
                .setProfiles(summary.profiles())
                .setKnownProfiles(summary.knownProfiles())
                .putAllIdentitiesByType(summary.identitiesByType())
                .setMerges(summary.merges())
                .setEvents(summary.events());
        summary.topEvents()
                .forEach(e -> out.addTopEvents(EventTotal.newBuilder()
                        .setName(e.name())
                        .setEvents(e.events())
                        .setProfiles(e.profiles())));
        if (summary.firstSeen() != null) {
            out.setFirstSeen(timestamp(summary.firstSeen()));
        }
        if (summary.lastSeen() != null) {
            out.setLastSeen(timestamp(summary.lastSeen()));
        }
        return out.build();
    }

    public static Timestamp timestamp(java.time.Instant time) {
        return Timestamp.newBuilder()
                .setSeconds(time.getEpochSecond())
                .setNanos(time.getNano())
                .build();
    }

    private static Struct traits(String json) {
        Struct.Builder struct = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json == null ? "{}" : json, struct);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored traits are not a JSON object: " + e.getMessage(), e);
        }
        return struct.build();
    }
}
