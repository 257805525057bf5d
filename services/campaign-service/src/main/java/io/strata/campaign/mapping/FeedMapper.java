package io.strata.campaign.mapping;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.strata.campaign.delivery.ConsentEntry;
import io.strata.campaign.domain.ProfileEvent;
import io.strata.campaign.domain.RecipientChange;
import io.strata.campaign.service.Signal;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.Consent;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.TagValue;
import io.strata.proto.segmentation.v1.SegmentMembership;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The feeds' records as journey signals. */
public final class FeedMapper {

    private FeedMapper() {}

    /** A tenant's signal, or empty when the record concerns no journey. */
    public record Mapped(String tenant, Optional<Signal> signal) {}

    public static Mapped membership(byte[] value) throws InvalidProtocolBufferException {
        var m = SegmentMembership.parseFrom(value);
        require(
                !m.getTenant().isEmpty()
                        && !m.getProfileId().isEmpty()
                        && !m.getSegmentId().isEmpty(),
                "a membership record without tenant, profile or segment");
        return new Mapped(
                m.getTenant(),
                Optional.of(new Signal.Audience(
                        m.getProfileId(),
                        m.getSegmentId(),
                        m.getEntered(),
                        instant(m.getChangedAt()),
                        m.getChangeId().isEmpty()
                                ? m.getSegmentId() + "@" + instant(m.getChangedAt())
                                : m.getChangeId())));
    }

    public static Mapped profileEvent(byte[] value) throws InvalidProtocolBufferException {
        var pe = io.strata.proto.profile.v1.ProfileEvent.parseFrom(value);
        require(!pe.getTenant().isEmpty() && !pe.getProfileId().isEmpty(), "a profile event without tenant or profile");
        var e = pe.getEvent();
        String name = e.getType() == EventType.EVENT_TYPE_TRACK
                ? e.getEvent()
                : e.getType().name().replace("EVENT_TYPE_", "").toLowerCase(Locale.ROOT);
        Instant at = e.hasTimestamp() ? instant(e.getTimestamp()) : instant(pe.getAppliedAt());
        var event = new ProfileEvent(name, at, e.getSourceId() + "/" + e.getMessageId(), strings(e.getProperties()));
        return new Mapped(pe.getTenant(), Optional.of(new Signal.Event(pe.getProfileId(), event)));
    }

    public static Mapped profileChange(byte[] value) throws InvalidProtocolBufferException {
        var c = ProfileChange.parseFrom(value);
        require(!c.getTenant().isEmpty() && !c.getProfileId().isEmpty(), "a profile change without tenant or profile");
        String profile = c.getProfileId();
        Instant at = instant(c.getChangedAt());
        Signal signal = switch (c.getChangeCase()) {
            case UPDATED -> {
                var u = c.getUpdated();
                var tags = new HashMap<String, String>();
                u.getTagsMap().forEach((k, v) -> tags.put(k, tag(v)));
                yield new Signal.Changed(
                        profile,
                        new RecipientChange(
                                c.getVersion(),
                                false,
                                values(u.getTraitsMap()),
                                tags,
                                Set.copyOf(u.getTagsRemovedList()),
                                consents(u.getConsentsList()),
                                addresses(u.getIdentitiesAddedList())));
            }
            case SNAPSHOT -> new Signal.Changed(profile, snapshot(c.getVersion(), c.getSnapshot()));
            case UNMERGED ->
                new Signal.Changed(
                        profile, snapshot(c.getVersion(), c.getUnmerged().getProfile()));
            case DELETED -> new Signal.Deleted(profile, at);
            case MERGED -> new Signal.Merged(profile, c.getMerged().getIntoProfileId(), at);
            case CHANGE_NOT_SET -> null;
        };
        return new Mapped(c.getTenant(), Optional.ofNullable(signal));
    }

    private static RecipientChange snapshot(long version, io.strata.proto.profile.v1.ProfileSnapshot s) {
        var tags = new HashMap<String, String>();
        s.getTagsMap().forEach((k, v) -> tags.put(k, tag(v)));
        return new RecipientChange(
                version,
                true,
                values(s.getTraitsMap()),
                tags,
                Set.of(),
                consents(s.getConsentsList()),
                addresses(s.getIdentitiesList()));
    }

    /** The channel each identifier reaches the person on. */
    static Map<String, String> addresses(List<Identity> identities) {
        var out = new HashMap<String, String>();
        for (Identity id : identities) {
            String channel = switch (id.getType()) {
                case IDENTITY_TYPE_PHONE -> "sms";
                case IDENTITY_TYPE_EMAIL -> "email";
                case IDENTITY_TYPE_WECHAT_OPEN_ID -> "wechat";
                case IDENTITY_TYPE_WECHAT_UNION_ID -> "wecom";
                case IDENTITY_TYPE_DEVICE_ID -> "push";
                case IDENTITY_TYPE_USER_ID -> "webhook";
                default -> null;
            };
            if (channel != null) {
                out.put(channel, id.getValue());
            }
        }
        return out;
    }

    private static List<ConsentEntry> consents(List<Consent> consents) {
        var out = new ArrayList<ConsentEntry>();
        for (Consent c : consents) {
            out.add(new ConsentEntry(
                    c.getChannel(), c.getPurpose(), c.getSender(), c.getGranted(), instant(c.getAt())));
        }
        return out;
    }

    private static String tag(TagValue v) {
        return switch (v.getValueCase()) {
            case BOOL_VALUE -> String.valueOf(v.getBoolValue());
            case ENUM_VALUE -> v.getEnumValue();
            case NUMBER_VALUE -> number(v.getNumberValue());
            case DATE_VALUE -> v.getDateValue();
            case VALUE_NOT_SET -> "";
        };
    }

    private static Map<String, String> strings(Struct struct) {
        return values(struct.getFieldsMap());
    }

    private static Map<String, String> values(Map<String, Value> fields) {
        var out = new HashMap<String, String>();
        fields.forEach((k, v) -> {
            switch (v.getKindCase()) {
                case STRING_VALUE -> out.put(k, v.getStringValue());
                case NUMBER_VALUE -> out.put(k, number(v.getNumberValue()));
                case BOOL_VALUE -> out.put(k, String.valueOf(v.getBoolValue()));
                default -> {} // lists, objects and nulls are not compared by journeys
            }
        });
        return out;
    }

    /** 3 rather than 3.0, so a filter written "3" matches. */
    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15
                ? String.valueOf((long) d)
                : BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static void require(boolean ok, String problem) throws InvalidProtocolBufferException {
        if (!ok) {
            throw new InvalidProtocolBufferException(problem);
        }
    }
}
