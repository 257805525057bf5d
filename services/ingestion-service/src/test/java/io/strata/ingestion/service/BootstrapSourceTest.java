package io.strata.ingestion.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.testing.TestTopics;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The bootstrap source of the local stack: created or re-keyed at start, but never brought back from revocation. */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class BootstrapSourceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    SourceService sources;

    @Test
    void aStartCreatesOrReKeysTheSourceButARevokedOneStaysRevoked() {
        String name = "bootstrap-" + UUID.randomUUID();
        var created =
                sources.ensureBootstrap("demo", name, "key-1-" + name).await().atMost(WAIT);
        assertNotNull(sources.authenticate("key-1-" + name).await().atMost(WAIT));

        var rekeyed =
                sources.ensureBootstrap("demo", name, "key-2-" + name).await().atMost(WAIT);
        assertEquals(created.id(), rekeyed.id(), "the same source");
        assertNull(sources.authenticate("key-1-" + name).await().atMost(WAIT), "the old key no longer opens it");
        assertNotNull(sources.authenticate("key-2-" + name).await().atMost(WAIT));

        sources.revoke("demo", created.id()).await().atMost(WAIT);
        var restarted =
                sources.ensureBootstrap("demo", name, "key-3-" + name).await().atMost(WAIT);
        assertTrue(restarted.revoked(), "a restart does not un-revoke it");
        assertNull(sources.authenticate("key-2-" + name).await().atMost(WAIT));
        assertNull(sources.authenticate("key-3-" + name).await().atMost(WAIT), "nor gives it a key");
    }
}
