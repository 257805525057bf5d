package io.strata.profile.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.IncomingEvent;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventMapperTest {

    private static Event.Builder base() {
        return Event.newBuilder()
                .setTenant("t")
                .setSourceId("s")
                .setMessageId("m")
                .setTimestamp(Timestamp.newBuilder().setSeconds(1_700_000_000L));
    }

    @Test
    void identifyCarriesTraitsAndTheirIdentifiers() throws Exception {
        Struct traits = Struct.newBuilder()
                .putFields(
                        "email", Value.newBuilder().setStringValue("Li@QQ.com").build())
                .putFields(
                        "phone",
                        Value.newBuilder().setStringValue("13912345678").build())
                .putFields("name", Value.newBuilder().setStringValue("Li").build())
                .build();
        IncomingEvent e = EventMapper.toIncoming(base().setType(EventType.EVENT_TYPE_IDENTIFY)
                .setUserId("u1")
                .setAnonymousId("a1")
                .setTraits(traits)
                .build());
        assertEquals("identify", e.countName());
        assertEquals(Instant.ofEpochSecond(1_700_000_000L), e.timestamp());
        assertEquals(
                List.of(
                        new IdentityKey(IdentityType.USER_ID, "u1"),
                        new IdentityKey(IdentityType.PHONE, "+8613912345678"),
                        new IdentityKey(IdentityType.EMAIL, "li@qq.com"),
                        new IdentityKey(IdentityType.ANONYMOUS_ID, "a1")),
                e.identities());
        Struct.Builder stored = Struct.newBuilder();
        JsonFormat.parser().merge(e.traitsJson(), stored);
        assertEquals(traits, stored.build(), "traits travel as given");
    }

    @Test
    void devicesWeChatIdsAndMemberIdsJoinTheGraph() throws Exception {
        Struct.Builder context = Struct.newBuilder();
        JsonFormat.parser().merge("""
                {"device":{"id":"dev-42","type":"ios"},
                 "externalIds":[{"id":"oUnion-1","type":"wechat_union_id","collection":"users"},
                                {"id":"oOpen-9","type":"wechat_open_id"},
                                {"id":"M-0001","type":"member_id"},
                                {"id":"x","type":"something_else"},
                                {"id":"null","type":"member_id"}]}
                """, context);
        IncomingEvent e = EventMapper.toIncoming(base().setType(EventType.EVENT_TYPE_TRACK)
                .setEvent("Product Viewed")
                .setAnonymousId("a1")
                .setContext(context)
                .build());
        assertEquals(
                List.of(
                        new IdentityKey(IdentityType.MEMBER_ID, "M-0001"),
                        new IdentityKey(IdentityType.WECHAT_UNION_ID, "oUnion-1"),
                        new IdentityKey(IdentityType.WECHAT_OPEN_ID, "oOpen-9"),
                        new IdentityKey(IdentityType.DEVICE_ID, "dev-42"),
                        new IdentityKey(IdentityType.ANONYMOUS_ID, "a1")),
                e.identities(),
                "junk and unknown types left out");
    }

    @Test
    void trackCountsUnderItsEventNameAndDropsJunkIds() {
        IncomingEvent e = EventMapper.toIncoming(base().setType(EventType.EVENT_TYPE_TRACK)
                .setEvent("Order Completed")
                .setUserId("null")
                .setAnonymousId("a1")
                .build());
        assertEquals("Order Completed", e.countName());
        assertEquals(List.of(new IdentityKey(IdentityType.ANONYMOUS_ID, "a1")), e.identities());
        assertNull(e.traitsJson(), "only identify changes traits");
    }

    @Test
    void refusesEnvelopesIngestionNeverWrites() {
        assertThrows(
                IllegalArgumentException.class,
                () -> EventMapper.toIncoming(
                        base().setTenant("").setType(EventType.EVENT_TYPE_TRACK).build()));
        assertThrows(
                IllegalArgumentException.class,
                () -> EventMapper.toIncoming(
                        base().setType(EventType.EVENT_TYPE_UNSPECIFIED).build()));
    }
}
