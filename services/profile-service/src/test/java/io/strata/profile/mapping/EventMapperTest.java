package io.strata.profile.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;

import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.IncomingEvent;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;

class EventMapperTest {

    private static Event.Builder base() {
        return Event.newBuilder().setTenant("t").setSourceId("s").setMessageId("m")
                .setTimestamp(Timestamp.newBuilder().setSeconds(1_700_000_000L));
    }

    @Test
    void identifyCarriesTraitsAndTheirIdentifiers() throws Exception {
        Struct traits = Struct.newBuilder()
                .putFields("email", Value.newBuilder().setStringValue("Li@QQ.com").build())
                .putFields("phone", Value.newBuilder().setStringValue("13912345678").build())
                .putFields("name", Value.newBuilder().setStringValue("Li").build())
                .build();
        IncomingEvent e = EventMapper.toIncoming(base().setType(EventType.EVENT_TYPE_IDENTIFY)
                .setUserId("u1").setAnonymousId("a1").setTraits(traits).build());
        assertEquals("identify", e.countName());
        assertEquals(Instant.ofEpochSecond(1_700_000_000L), e.timestamp());
        assertEquals(List.of(
                new IdentityKey(IdentityType.USER_ID, "u1"),
                new IdentityKey(IdentityType.PHONE, "+8613912345678"),
                new IdentityKey(IdentityType.EMAIL, "li@qq.com"),
                new IdentityKey(IdentityType.ANONYMOUS_ID, "a1")), e.identities());
        Struct.Builder stored = Struct.newBuilder();
        JsonFormat.parser().merge(e.traitsJson(), stored);
        assertEquals(traits, stored.build(), "traits travel as given");
    }

    @Test
    void trackCountsUnderItsEventNameAndDropsJunkIds() {
        IncomingEvent e = EventMapper.toIncoming(base().setType(EventType.EVENT_TYPE_TRACK)
                .setEvent("Order Completed").setUserId("null").setAnonymousId("a1").build());
        assertEquals("Order Completed", e.countName());
        assertEquals(List.of(new IdentityKey(IdentityType.ANONYMOUS_ID, "a1")), e.identities());
        assertNull(e.traitsJson(), "only identify changes traits");
    }

    @Test
    void refusesEnvelopesIngestionNeverWrites() {
        assertThrows(IllegalArgumentException.class,
                () -> EventMapper.toIncoming(base().setTenant("").setType(EventType.EVENT_TYPE_TRACK).build()));
        assertThrows(IllegalArgumentException.class,
                () -> EventMapper.toIncoming(base().setType(EventType.EVENT_TYPE_UNSPECIFIED).build()));
    }
}
