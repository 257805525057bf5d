package io.strata.profile.domain;

import java.util.Objects;

/** One normalised identifier of a consumer. */
public record IdentityKey(IdentityType type, String value) {

    public IdentityKey {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }
}
