package io.strata.gateway.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.profile.v1.Behaviour;
import io.strata.proto.profile.v1.FacetStats;
import io.strata.proto.profile.v1.OrderStats;
import io.strata.proto.profile.v1.Profile;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** From the profile message to its REST shape. */
public final class ProfileMapper {

    private static final String PREFIX = "IDENTITY_TYPE_";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProfileMapper() {}

    public static ProfileDto toDto(Profile profile) {
        return new ProfileDto(
                profile.getId(),
                profile.getIdentitiesList().stream()
                        .map(id -> new ProfileDto.IdentityDto(typeName(id.getType()), id.getValue()))
                        .toList(),
                traits(profile),
                new TreeMap<>(profile.getEventCountsMap()),
                profile.hasFirstSeen() ? iso(profile.getFirstSeen()) : null,
                profile.hasLastSeen() ? iso(profile.getLastSeen()) : null,
                iso(profile.getCreatedAt()),
                iso(profile.getUpdatedAt()),
                behaviour(profile.getBehaviour()),
                tags(profile),
                profile.getVersion());
    }

    private static ProfileDto.BehaviourDto behaviour(Behaviour behaviour) {
        Map<String, ProfileDto.EventStatsDto> events = new TreeMap<>();
        behaviour
                .getEventsMap()
                .forEach((name, s) -> events.put(
                        name,
                        new ProfileDto.EventStatsDto(
                                s.getCount(),
                                iso(s.getFirstAt()),
                                iso(s.getLastAt()),
                                s.getLast7Days(),
                                s.getLast30Days(),
                                s.getLast90Days(),
                                s.getLast365Days())));
        ProfileDto.OrdersDto orders = null;
        if (behaviour.hasOrders()) {
            OrderStats o = behaviour.getOrders();
            orders = new ProfileDto.OrdersDto(
                    o.getOrders(),
                    o.getRevenue(),
                    o.getAverageOrderValue(),
                    iso(o.getFirstOrderAt()),
                    iso(o.getLastOrderAt()),
                    o.getPurchaseDays());
        }
        Map<String, Map<String, ProfileDto.FacetDto>> facets = new TreeMap<>();
        for (FacetStats f : behaviour.getFacetsList()) {
            facets.computeIfAbsent(f.getDimension(), d -> new TreeMap<>())
                    .put(f.getValue(), new ProfileDto.FacetDto(f.getCount(), iso(f.getFirstAt()), iso(f.getLastAt())));
        }
        return new ProfileDto.BehaviourDto(events, orders, facets);
    }

    private static Map<String, ProfileDto.TagDto> tags(Profile profile) {
        Map<String, ProfileDto.TagDto> tags = new TreeMap<>();
        profile.getTagsMap().forEach((key, tag) -> {
            Object value = switch (tag.getValueCase()) {
                case BOOL_VALUE -> tag.getBoolValue();
                case ENUM_VALUE -> tag.getEnumValue();
                case NUMBER_VALUE -> tag.getNumberValue();
                case DATE_VALUE -> tag.getDateValue();
                case VALUE_NOT_SET -> null;
            };
            tags.put(
                    key,
                    new ProfileDto.TagDto(
                            value,
                            tag.getSource().isEmpty() ? null : tag.getSource(),
                            tag.hasSetAt() ? iso(tag.getSetAt()) : null));
        });
        return tags;
    }

    /** {@code IDENTITY_TYPE_ANONYMOUS_ID} → {@code anonymousId}, the spec's own spelling. */
    public static String typeName(IdentityType type) {
        return identityName(type.name().substring(PREFIX.length()));
    }

    /** {@code ANONYMOUS_ID} → {@code anonymousId}. */
    public static String identityName(String constant) {
        String[] words = constant.toLowerCase(Locale.ROOT).split("_");
        StringBuilder name = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return name.toString();
    }

    private static Map<String, Object> traits(Profile profile) {
        try {
            return JSON.readValue(JsonFormat.printer().print(profile.getTraits()), new TypeReference<>() {});
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
            throw new IllegalStateException("traits of profile " + profile.getId() + " cannot be shown", e);
        }
    }

    public static String iso(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()).toString();
    }
}
