package io.strata.platform.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedTokenSourceTest {

    private final Instant now = Instant.parse("2026-12-02T04:00:00Z");
    private final List<UniEmitter<? super TokenSource.Token>> pending = new ArrayList<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private final TokenSource slow = () -> Uni.createFrom().emitter(e -> {
        fetches.incrementAndGet();
        pending.add(e);
    });

    @Test
    void callersStartingDuringARenewalShareOneFetch() {
        CachedTokenSource tokens = new CachedTokenSource(slow, Clock.fixed(now, ZoneOffset.UTC));
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tokens.token().subscribe().with(t -> got.add(t.value()));
        }
        assertEquals(1, fetches.get(), "one request to the identity provider");
        pending.get(0).complete(new TokenSource.Token("t1", now.plus(Duration.ofMinutes(5))));
        assertEquals(List.of("t1", "t1", "t1", "t1", "t1"), got);
        assertEquals("t1", tokens.token().await().indefinitely().value(), "kept while fresh");
        assertEquals(1, fetches.get());
    }

    @Test
    void aTokenCloseToItsExpiryIsRenewedAndAFailedFetchIsNotKept() {
        CachedTokenSource tokens = new CachedTokenSource(slow, Clock.fixed(now, ZoneOffset.UTC));
        var first = tokens.token().subscribeAsCompletionStage();
        pending.get(0).complete(new TokenSource.Token("old", now.plusSeconds(20)));
        assertEquals("old", first.join().value());

        var failed = tokens.token().subscribeAsCompletionStage();
        assertEquals(2, fetches.get(), "20 s left is within the renewal margin");
        pending.get(1).fail(new IllegalStateException("Keycloak is down"));
        assertThrows(Exception.class, failed::join);

        var renewed = tokens.token().subscribeAsCompletionStage();
        assertEquals(3, fetches.get(), "the failure was not cached");
        pending.get(2).complete(new TokenSource.Token("new", now.plusSeconds(300)));
        assertEquals("new", renewed.join().value());
    }
}
