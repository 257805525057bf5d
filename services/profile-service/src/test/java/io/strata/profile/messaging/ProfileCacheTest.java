package io.strata.profile.messaging;

import static io.strata.profile.support.TestEvents.tenant;
import static io.strata.profile.support.TestEvents.track;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.repository.ProfileCache;
import io.strata.profile.service.ProfileQueryService;
import io.strata.profile.support.TestEvents;
import io.strata.testing.KafkaGroups;
import io.strata.testing.TestTopics;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replica's cache of the profiles it wrote never decides against what another writer
 * committed: here another replica (plain SQL, which tells this one nothing) moves an identifier to
 * a profile of its own, and the next event of that identifier lands there.
 */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class ProfileCacheTest {

    private static final Duration WAIT = Duration.ofSeconds(45);
    private static TestEvents events;

    @Inject
    ProfileQueryService profiles;

    @Inject
    ProfileCache cache;

    @Inject
    Pool pool;

    @BeforeAll
    static void connect() {
        events = new TestEvents();
        String group = ConfigProvider.getConfig().getValue("mp.messaging.incoming.events.group.id", String.class);
        KafkaGroups.awaitAssigned(group, TestTopics.EVENTS, Duration.ofSeconds(60));
    }

    @AfterAll
    static void close() {
        events.close();
    }

    private ProfileView profile(String tenant, IdentityType type, String value, Predicate<ProfileView> ready) {
        return await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> profiles.byIdentity(tenant, type, value).await().atMost(WAIT),
                        p -> p != null && ready.test(p));
    }

    @Test
    void anotherWritersChangeWinsOverWhatThisReplicaKnew() throws Exception {
        String tenant = tenant();
        events.send(track(tenant, "u1", "device-a", "Visited"));
        ProfileView first = profile(tenant, IdentityType.USER_ID, "u1", p -> true);
        assertNotNull(
                cache.owner(tenant, new IdentityKey(IdentityType.ANONYMOUS_ID, "device-a")),
                "the replica knows the profile it wrote");

        // another writer gives the anonymous id a profile of its own, moving the first one's version on
        UUID other = UUID.randomUUID();
        OffsetDateTime now = OffsetDateTime.now();
        pool.withTransaction(conn -> conn.preparedQuery(
                                "insert into profiles (id, tenant, created_at, updated_at, version) values ($1, $2, $3, $3, 1)")
                        .execute(Tuple.of(other, tenant, now))
                        .chain(() -> conn.preparedQuery(
                                        "update profile_identities set profile_id = $1 where tenant = $2 and value = 'device-a'")
                                .execute(Tuple.of(other, tenant)))
                        .chain(() -> conn.preparedQuery("""
                                        update profiles set version = version + 1,
                                            identity_counts = '{"USER_ID": 1}'::jsonb
                                        where tenant = $1 and id = $2""").execute(Tuple.of(tenant, first.id()))))
                .await()
                .atMost(WAIT);

        events.send(track(tenant, null, "device-a", "Marker"));
        ProfileView moved = profile(
                tenant, IdentityType.ANONYMOUS_ID, "device-a", p -> p.counts().containsKey("Marker"));
        assertEquals(other, moved.id(), "the event follows the identifier to its new profile");
        assertEquals(
                1,
                profiles.byId(tenant, first.id()).await().atMost(WAIT).counts().get("Visited"));
    }
}
