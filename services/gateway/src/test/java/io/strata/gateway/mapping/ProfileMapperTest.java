package io.strata.gateway.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.proto.common.v1.IdentityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileMapperTest {

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
}
