package io.strata.gateway.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.Timestamp;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.profile.v1.Behaviour;
import io.strata.proto.profile.v1.EventStats;
import io.strata.proto.profile.v1.FacetStats;
import io.strata.proto.profile.v1.OrderStats;
import io.strata.proto.profile.v1.Profile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileMapperTest {

    private static final Timestamp T1 =
            Timestamp.newBuilder().setSeconds(1_780_000_000L).build();
    private static final Timestamp T2 =
            Timestamp.newBuilder().setSeconds(1_790_000_000L).build();

    @ParameterizedTest
    @CsvSource({
        "IDENTITY_TYPE_USER_ID, userId",
        "IDENTITY_TYPE_ANONYMOUS_ID, anonymousId",
        "IDENTITY_TYPE_EMAIL, email",
        "IDENTITY_TYPE_WECHAT_UNION_ID, wechatUnionId"
    })
    void identityTypesUseTheSpecsSpelling(IdentityType type, String name) {
        assertEquals(name, ProfileMapper.typeName(type));
    }

    @Test
    void behaviourShowsWindowsOrdersAndFacetsByDimensionWithoutTheDailyBuckets() {
        Profile profile = Profile.newBuilder()
                .setId("p1")
                .setCreatedAt(T1)
                .setUpdatedAt(T2)
                .setVersion(7)
                .setBehaviour(Behaviour.newBuilder()
                        .putEvents(
                                "Order Completed",
                                EventStats.newBuilder()
                                        .setCount(3)
                                        .setFirstAt(T1)
                                        .setLastAt(T2)
                                        .putDaily(20_000, 2)
                                        .setLast7Days(1)
                                        .setLast30Days(2)
                                        .setLast90Days(2)
                                        .setLast365Days(3)
                                        .build())
                        .setOrders(OrderStats.newBuilder()
                                .setOrders(3)
                                .setRevenue(300.5)
                                .setAverageOrderValue(100.17)
                                .setFirstOrderAt(T1)
                                .setLastOrderAt(T2)
                                .setPurchaseDays(2))
                        .addFacets(FacetStats.newBuilder()
                                .setDimension("category")
                                .setValue("skincare")
                                .setCount(2)
                                .setFirstAt(T1)
                                .setLastAt(T2)))
                .build();
        ProfileDto dto = ProfileMapper.toDto(profile);
        assertEquals(7, dto.version());
        ProfileDto.EventStatsDto orders = dto.behaviour().events().get("Order Completed");
        assertEquals(new ProfileDto.EventStatsDto(3, ProfileMapper.iso(T1), ProfileMapper.iso(T2), 1, 2, 2, 3), orders);
        assertEquals(2, dto.behaviour().orders().purchaseDays());
        assertEquals(300.5, dto.behaviour().orders().revenue());
        assertEquals(2, dto.behaviour().facets().get("category").get("skincare").count());
        assertNull(
                ProfileMapper.toDto(profile.toBuilder().clearBehaviour().build())
                        .behaviour()
                        .orders(),
                "no orders, no order figures");
    }
}
