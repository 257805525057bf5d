package io.strata.insight.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.strata.insight.store.EventStore;
import io.strata.insight.store.EventStore.Row;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.EventRef;
import io.strata.proto.profile.v1.ProfileChange;
import io.strata.proto.profile.v1.ProfileEvent;
import io.strata.proto.profile.v1.ProfileMerged;
import io.strata.proto.profile.v1.ProfileUnmerged;
import io.strata.proto.profile.v1.ProfileUpdated;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class FeedMapperTest {

    @Test
    void anOrdersRowHasItsRevenueOrderAndTime() {
        Struct properties = Struct.newBuilder()
                .putFields("total", Value.newBuilder().setStringValue(" 99.90 ").build())
                .putFields("order_id", Value.newBuilder().setNumberValue(10042).build())
                .build();
        Row row = FeedMapper.row(event("Order Completed", EventType.EVENT_TYPE_TRACK, properties, ""));
        assertEquals("acme", row.tenant());
        assertEquals("p1", row.profileId());
        assertEquals("Order Completed", row.name());
        assertEquals(99.90, row.revenue(), 1e-9);
        assertEquals("10042", row.orderId());
        assertEquals(Instant.ofEpochSecond(1_780_000_000L), row.time());
        assertTrue(row.propertiesJson().contains("\"order_id\":10042"), row.propertiesJson());
    }

    @Test
    void aPageHasItsTypeForNameAndNoRevenue() {
        Row row = FeedMapper.row(event("", EventType.EVENT_TYPE_PAGE, Struct.getDefaultInstance(), ""));
        assertEquals("page", row.name());
        assertNull(row.revenue());
        assertNull(row.orderId());
    }

    @Test
    void anEventAnnouncedAgainIsKeptOnlyWhereItsMergedProfileWasNot() {
        int home = FeedMapper.partitionOf("acme", "old", 6);
        ProfileEvent moved = event("Product Viewed", EventType.EVENT_TYPE_TRACK, Struct.getDefaultInstance(), "old");
        assertFalse(FeedMapper.keeps(moved, home, 6), "the merged profile's partition has it already");
        assertTrue(FeedMapper.keeps(moved, (home + 1) % 6, 6));
        assertTrue(FeedMapper.keeps(moved.toBuilder().clearMergedFromProfileId().build(), home, 6));
    }

    @Test
    void aMergeIsAnAliasOnTheSurvivorsPartitionAndAForgettingElsewhere() {
        ProfileChange merge = ProfileChange.newBuilder()
                .setTenant("acme")
                .setProfileId("old")
                .setMerged(ProfileMerged.newBuilder().setIntoProfileId("new"))
                .build();
        int survivors = FeedMapper.partitionOf("acme", "new", 6);
        assertInstanceOf(FeedMapper.Alias.class, FeedMapper.action(merge, survivors, 6));
        assertInstanceOf(FeedMapper.Forget.class, FeedMapper.action(merge, (survivors + 1) % 6, 6));
        ProfileChange update = merge.toBuilder()
                .setUpdated(ProfileUpdated.getDefaultInstance())
                .build();
        assertInstanceOf(FeedMapper.Nothing.class, FeedMapper.action(update, survivors, 6));
    }

    @Test
    void anUnmergeRestoresOnOneSideAndReassignsOnTheOther() {
        ProfileUnmerged.Builder unmerged = ProfileUnmerged.newBuilder()
                .addMovedEvents(EventRef.newBuilder().setSourceId("web").setMessageId("m1"));
        ProfileChange restored = ProfileChange.newBuilder()
                .setTenant("acme")
                .setProfileId("r")
                .setUnmerged(unmerged.clone().setRestored(true).setOtherProfileId("s"))
                .build();
        int rs = FeedMapper.partitionOf("acme", "r", 6);
        int ss = FeedMapper.partitionOf("acme", "s", 6);
        var restore = (FeedMapper.Restore) FeedMapper.action(restored, rs, 6);
        assertEquals("r", restore.restored());
        assertEquals(List.of(new EventStore.EventId("web", "m1")), restore.moved());
        assertEquals(rs != ss, restore.dropHere(), "r's own rows leave only where the copies are elsewhere");

        ProfileChange other = ProfileChange.newBuilder()
                .setTenant("acme")
                .setProfileId("s")
                .setUnmerged(unmerged.clone().setRestored(false).setOtherProfileId("r"))
                .build();
        var reassign = (FeedMapper.Reassign) FeedMapper.action(other, ss, 6);
        assertEquals("s", reassign.from());
        assertEquals("r", reassign.to());
        assertEquals(restore.moved(), reassign.moved());
    }

    @Test
    void aRecordThatIsNoEventIsRejectedWithItsReason() {
        List<String> reasons = new ArrayList<>();
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("t", 0, 5, "k", new byte[] {0x0a, 0x7f});
        assertNull(FeedMapper.parseEventOrNull(record, (r, reason) -> reasons.add(reason)));
        ConsumerRecord<String, byte[]> empty = new ConsumerRecord<>("t", 0, 6, "k", new byte[0]);
        assertNull(FeedMapper.parseEventOrNull(empty, (r, reason) -> reasons.add(reason)));
        assertEquals(2, reasons.size());
        assertTrue(reasons.get(1).contains("tenant, profile_id and event"), reasons.get(1));
    }

    private static ProfileEvent event(String name, EventType type, Struct properties, String mergedFrom) {
        return ProfileEvent.newBuilder()
                .setTenant("acme")
                .setProfileId("p1")
                .setMergedFromProfileId(mergedFrom)
                .setEvent(Event.newBuilder()
                        .setTenant("acme")
                        .setSourceId("src")
                        .setMessageId("m1")
                        .setType(type)
                        .setEvent(name)
                        .setProperties(properties)
                        .setTimestamp(Timestamp.newBuilder().setSeconds(1_780_000_000L)))
                .build();
    }
}
