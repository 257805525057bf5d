package io.strata.ingestion.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.IngestionException;
import org.junit.jupiter.api.Test;

/** The in-flight budget: a tenant that floods the replica turns only itself away. */
class InFlightTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InFlight inFlight = new InFlight(limits(10_000, 1_000_000, 0.5), registry);

    @Test
    void aTenantAtItsShareIsRefusedWhileAnotherIsServed() {
        InFlight.Hold first = inFlight.reserve("flood", 2_500, 100_000);
        inFlight.reserve("flood", 2_500, 100_000);
        IngestionException refused = assertThrows(IngestionException.class, () -> inFlight.reserve("flood", 1, 10));
        assertEquals(IngestionException.Kind.UNAVAILABLE, refused.kind());
        assertTrue(refused.getMessage().contains("tenant"), refused.getMessage());

        // the replica still has room for everyone else
        assertDoesNotThrow(() -> inFlight.reserve("quiet", 2_500, 100_000));
        assertEquals(7_500, gauge("strata_ingestion_events_in_flight"));

        // what is given back may be taken again
        inFlight.release(first);
        assertDoesNotThrow(() -> inFlight.reserve("flood", 2_500, 100_000));
    }

    @Test
    void bytesAreBudgetedLikeEvents() {
        inFlight.reserve("big", 10, 500_000);
        assertThrows(IngestionException.class, () -> inFlight.reserve("big", 1, 1));
        inFlight.reserve("other", 10, 400_000);
        // the replica's bytes: 900,000 of 1,000,000 taken; a third tenant's 200,000 do not fit
        assertThrows(IngestionException.class, () -> inFlight.reserve("third", 1, 200_000));
        assertEquals(20, gauge("strata_ingestion_events_in_flight"), "a refused request holds nothing");
        assertEquals(900_000, gauge("strata_ingestion_bytes_in_flight"));
    }

    @Test
    void aShareTooSmallForTheLargestRequestIsRefusedAtStart() {
        assertThrows(IllegalStateException.class, () -> new InFlight(limits(4_000, 1_000_000, 0.5), registry));
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private static IngestionConfig.Limits limits(int maxEvents, long maxBytes, double share) {
        return new IngestionConfig.Limits() {
            @Override
            public int maxEventBytes() {
                return 32_768;
            }

            @Override
            public int maxRequestBytes() {
                return 512_000;
            }

            @Override
            public int maxBatchEvents() {
                return 2_500;
            }

            @Override
            public int maxBatchDefaultsBytes() {
                return 8_192;
            }

            @Override
            public int maxExpandedRequestBytes() {
                return 100_000;
            }

            @Override
            public int maxInFlightEvents() {
                return maxEvents;
            }

            @Override
            public long maxInFlightBytes() {
                return maxBytes;
            }

            @Override
            public double maxTenantShare() {
                return share;
            }
        };
    }
}
