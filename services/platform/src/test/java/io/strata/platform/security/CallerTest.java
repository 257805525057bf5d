package io.strata.platform.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CallerTest {

    @Test
    void workIsAbandonedAtTheCallersDeadline() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Caller caller = new Caller(
                "strata-gateway", "demo", "alice", Set.of(), Instant.now().plusMillis(200));
        Exception e = assertThrows(
                Exception.class,
                () -> caller.within(Uni.createFrom().nothing().onCancellation().invoke(() -> cancelled.set(true)))
                        .await()
                        .atMost(Duration.ofSeconds(5)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, Status.fromThrowable(e).getCode());
        assertTrue(cancelled.get(), "the work's subscription was cancelled");
    }

    @Test
    void workWithinTheDeadlineOrWithoutOneIsUntouched() {
        Caller later = new Caller("c", "t", "u", Set.of(), Instant.now().plusSeconds(60));
        assertEquals("done", later.within(Uni.createFrom().item("done")).await().indefinitely());
        Caller none = new Caller("c", "t", "u", Set.of());
        assertEquals("done", none.within(Uni.createFrom().item("done")).await().indefinitely());
        Caller past = new Caller("c", "t", "u", Set.of(), Instant.now().minusSeconds(1));
        assertThrows(
                Exception.class,
                () -> past.within(Uni.createFrom().item("late")).await().indefinitely());
    }
}
