package io.strata.platform.grpc;

import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A token kept until shortly before it expires. Concurrent callers share one fetch: however many
 * calls start while the token is being renewed, the identity provider is asked once.
 */
public final class CachedTokenSource implements TokenSource {

    /** A token is renewed this long before it expires. */
    public static final Duration RENEW_BEFORE = Duration.ofSeconds(30);

    private final TokenSource source;
    private final Clock clock;
    private final AtomicReference<Token> current = new AtomicReference<>();
    private final AtomicReference<Uni<Token>> fetching = new AtomicReference<>();

    public CachedTokenSource(TokenSource source) {
        this(source, Clock.systemUTC());
    }

    CachedTokenSource(TokenSource source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    @Override
    public Uni<Token> token() {
        Token token = current.get();
        if (token != null && fresh(token)) {
            return Uni.createFrom().item(token);
        }
        Uni<Token> shared = fetching.get();
        if (shared == null) {
            Uni<Token> fetch = Uni.createFrom()
                    .deferred(source::token)
                    .invoke(current::set)
                    .eventually(() -> fetching.set(null))
                    .memoize()
                    .indefinitely();
            shared = fetching.compareAndSet(null, fetch) ? fetch : fetching.get();
            if (shared == null) {
                shared = fetch; // the fetch of another caller ended in between
            }
        }
        return shared;
    }

    private boolean fresh(Token token) {
        return token.expiresAt() == null || clock.instant().plus(RENEW_BEFORE).isBefore(token.expiresAt());
    }
}
