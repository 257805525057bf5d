package io.strata.platform.grpc;

import io.smallrye.mutiny.Uni;
import java.time.Instant;

/** Where a service gets its own access token for the calls it makes (client credentials). */
@FunctionalInterface
public interface TokenSource {

    /** @param expiresAt when the token stops being accepted; null when unknown */
    record Token(String value, Instant expiresAt) {}

    Uni<Token> token();
}
