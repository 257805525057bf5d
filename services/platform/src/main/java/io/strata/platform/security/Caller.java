package io.strata.platform.security;

import io.grpc.Status;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Who a call is for, as verified by {@link Access}.
 *
 * @param client the calling service's client ({@code azp} of its token)
 * @param tenant the tenant the call may touch: the user's, or null for a service's own call
 * @param user the user's subject, or null for a service's own call
 * @param roles the user's roles (empty for a service's own call)
 * @param deadline when the caller gives up (its gRPC deadline), or null when it set none
 */
public record Caller(String client, String tenant, String user, Set<String> roles, Instant deadline) {

    public Caller(String client, String tenant, String user, Set<String> roles) {
        this(client, tenant, user, roles, null);
    }

    public boolean forUser() {
        return user != null;
    }

    /**
     * The work, abandoned at the caller's deadline: a caller gone is no reason to go on (the work's
     * subscription is cancelled, e.g. a query's), and it fails with DEADLINE_EXCEEDED.
     */
    public <T> Uni<T> within(Uni<T> work) {
        if (deadline == null) {
            return work;
        }
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            return Uni.createFrom()
                    .failure(Status.DEADLINE_EXCEEDED
                            .withDescription("the caller's deadline has passed")
                            .asRuntimeException());
        }
        return work.ifNoItem()
                .after(left)
                .failWith(() -> Status.DEADLINE_EXCEEDED
                        .withDescription("the caller's deadline passed")
                        .asRuntimeException());
    }
}
