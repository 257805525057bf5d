package io.strata.profile.domain;

/** Kinds of identifier, in merge priority order: a user id outranks everything else. */
public enum IdentityType {
    USER_ID,
    MEMBER_ID,
    PHONE,
    EMAIL,
    WECHAT_UNION_ID,
    WECHAT_OPEN_ID,
    DEVICE_ID,
    ANONYMOUS_ID
}
