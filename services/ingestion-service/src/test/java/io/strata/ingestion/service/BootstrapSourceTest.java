package io.strata.ingestion.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.testing.TestTopics;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The bootstrap source of the local stack: created or re-keyed at start, but never brought back from revocation. */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class BootstrapSourceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    SourceService sources;

    /** A tenant of this test's own, never the development stack's {@code demo}. */
    private static final String TENANT = "test-bootstrap";

    @Test
    void aStartCreatesOrReKeysTheSourceButARevokedOneStaysRevoked() {
        String name = "bootstrap-" + UUID.randomUUID();
        var created =
                sources.ensureBootstrap(TENANT, name, "key-1-" + name).await().atMost(WAIT);
        assertNotNull(sources.authenticate("key-1-" + name).await().atMost(WAIT));

        var rekeyed =
                sources.ensureBootstrap(TENANT, name, "key-2-" + name).await().atMost(WAIT);
        assertEquals(created.id(), rekeyed.id(), "the same source");
        assertNull(sources.authenticate("key-1-" + name).await().atMost(WAIT), "the old key no longer opens it");
        assertNotNull(sources.authenticate("key-2-" + name).await().atMost(WAIT));

        sources.revoke(TENANT, created.id()).await().atMost(WAIT);
        var restarted =
                sources.ensureBootstrap(TENANT, name, "key-3-" + name).await().atMost(WAIT);
        assertTrue(restarted.revoked(), "a restart does not un-revoke it");
        assertNull(sources.authenticate("key-2-" + name).await().atMost(WAIT));
        assertNull(sources.authenticate("key-3-" + name).await().atMost(WAIT), "nor gives it a key");
    }

    @Test
    void withoutTheDevelopmentSwitchNoSourceIsMade() {
        String name = "bootstrap-" + UUID.randomUUID();
        String key = "key-" + name;
        sources.bootstrap(bootstrap(false, name, key));
        assertNull(sources.authenticate(key).await().atMost(WAIT), "a deployment gets no source from its config");

        sources.bootstrap(bootstrap(true, name, key));
        assertNotNull(sources.authenticate(key).await().atMost(WAIT), "the local stack does");
    }

    private static IngestionConfig.Bootstrap bootstrap(boolean enabled, String name, String key) {
        return new IngestionConfig.Bootstrap() {
            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public String tenant() {
                return TENANT;
            }

            @Override
            public String sourceName() {
                return name;
            }

            @Override
            public Optional<String> writeKey() {
                return Optional.of(key);
            }
        };
    }
}
