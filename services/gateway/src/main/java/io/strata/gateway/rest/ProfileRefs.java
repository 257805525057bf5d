package io.strata.gateway.rest;

import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.profile.v1.ProfileRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which profile a request or a row means, as the API names it: exactly one of {@code profileId} or
 * an identifier ({@code userId}, {@code anonymousId}, {@code email}, {@code phone}, {@code deviceId},
 * {@code memberId}, {@code wechatUnionId}, {@code wechatOpenId}).
 */
final class ProfileRefs {

    static final Map<String, IdentityType> IDENTIFIERS = new LinkedHashMap<>();

    static {
        IDENTIFIERS.put("userId", IdentityType.IDENTITY_TYPE_USER_ID);
        IDENTIFIERS.put("anonymousId", IdentityType.IDENTITY_TYPE_ANONYMOUS_ID);
        IDENTIFIERS.put("email", IdentityType.IDENTITY_TYPE_EMAIL);
        IDENTIFIERS.put("phone", IdentityType.IDENTITY_TYPE_PHONE);
        IDENTIFIERS.put("deviceId", IdentityType.IDENTITY_TYPE_DEVICE_ID);
        IDENTIFIERS.put("memberId", IdentityType.IDENTITY_TYPE_MEMBER_ID);
        IDENTIFIERS.put("wechatUnionId", IdentityType.IDENTITY_TYPE_WECHAT_UNION_ID);
        IDENTIFIERS.put("wechatOpenId", IdentityType.IDENTITY_TYPE_WECHAT_OPEN_ID);
    }

    /** Every name a reference may take. */
    static final List<String> NAMES = names();

    private ProfileRefs() {}

    private static List<String> names() {
        List<String> names = new java.util.ArrayList<>();
        names.add("profileId");
        names.addAll(IDENTIFIERS.keySet());
        return List.copyOf(names);
    }

    /**
     * The reference among the values {@code value} gives by name.
     *
     * @param prefix the place of the values in the request ("", "rows[3].")
     */
    static ProfileRef of(Function<String, String> value, String prefix) {
        return of(value, prefix, NAMES);
    }

    /** The identifier among the values {@code value} gives by name (a profile id is not one). */
    static Identity identity(Function<String, String> value) {
        return of(value, "", List.copyOf(IDENTIFIERS.keySet())).getIdentity();
    }

    private static ProfileRef of(Function<String, String> value, String prefix, List<String> names) {
        String found = null;
        for (String name : names) {
            String v = value.apply(name);
            if (v == null || v.isBlank()) {
                continue;
            }
            if (found != null) {
                throw ApiException.badRequest(prefix + name, "give only one of " + String.join(", ", names));
            }
            found = name;
        }
        if (found == null) {
            throw ApiException.badRequest(prefix + names.get(0), "give one of " + String.join(", ", names));
        }
        String v = value.apply(found).strip();
        return found.equals("profileId")
                ? ProfileRef.newBuilder().setProfileId(v).build()
                : ProfileRef.newBuilder()
                        .setIdentity(Identity.newBuilder()
                                .setType(IDENTIFIERS.get(found))
                                .setValue(v))
                        .build();
    }
}
