package io.strata.profile.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifierNormalizerTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "  ",
                "0",
                "null",
                "NULL",
                "undefined",
                "-1",
                "none",
                "n/a",
                "0000",
                "00000000-0000-0000-0000-000000000000",
                "[object Object]"
            })
    void refusesJunkIds(String raw) {
        assertTrue(IdentifierNormalizer.normalize(IdentityType.USER_ID, raw).isEmpty(), raw);
        assertTrue(
                IdentifierNormalizer.normalize(IdentityType.ANONYMOUS_ID, raw).isEmpty(), raw);
    }

    @ParameterizedTest
    @CsvSource({"'  Alice@Example.COM ', alice@example.com", "li.wei+vip@qq.com, li.wei+vip@qq.com"})
    void lowerCasesEmails(String raw, String expected) {
        assertEquals(
                Optional.of(new IdentityKey(IdentityType.EMAIL, expected)),
                IdentifierNormalizer.normalize(IdentityType.EMAIL, raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "alice@", "@qq.com", "a b@c.com", "null"})
    void refusesMalformedEmails(String raw) {
        assertTrue(IdentifierNormalizer.normalize(IdentityType.EMAIL, raw).isEmpty(), raw);
    }

    @ParameterizedTest
    @CsvSource({
        "138-1234-5678, +8613812345678",
        "'+86 139 1234 5678', +8613912345678",
        "0086 13912345678, +8613912345678",
        "+44 20 7946 0958, +442079460958",
        "021-6234-5678, 02162345678"
    })
    void normalisesPhones(String raw, String expected) {
        assertEquals(
                Optional.of(new IdentityKey(IdentityType.PHONE, expected)),
                IdentifierNormalizer.normalize(IdentityType.PHONE, raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "11111111111", "13800138000", "12345678", "123", "phone", "1234567890123456789"})
    void refusesJunkPhones(String raw) {
        assertTrue(IdentifierNormalizer.normalize(IdentityType.PHONE, raw).isEmpty(), raw);
    }

    @ParameterizedTest
    @ValueSource(strings = {"u-42", "  u-42  "})
    void keepsOrdinaryIdsStripped(String raw) {
        assertEquals(
                Optional.of(new IdentityKey(IdentityType.USER_ID, "u-42")),
                IdentifierNormalizer.normalize(IdentityType.USER_ID, raw));
    }
}
