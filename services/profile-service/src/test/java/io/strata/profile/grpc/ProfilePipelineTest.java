package io.strata.profile.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.GetProfileRequest;
import io.strata.proto.profile.v1.LookupProfileRequest;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.ProfileService;
import io.strata.proto.profile.v1.SummarizeProfilesRequest;
import io.strata.proto.profile.v1.SummarizeProfilesResponse;
import io.strata.testing.KafkaGroups;
import io.strata.testing.KafkaProbe;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events through the real topic into PostgreSQL, read back over gRPC. Each test has its own tenant. */
@QuarkusTest
class ProfilePipelineTest {

    private static final String TOPIC = "strata.events.v1";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static KafkaProducer<String, byte[]> producer;

    private static String serviceToken;

    @GrpcClient("profile")
    ProfileService client;

    /** The client as the gateway calls: with a service token. */
    ProfileService profiles;

    @BeforeEach
    void authorize() {
        profiles = GrpcClientUtils.attachHeaders(client, KeycloakTokens.bearer(serviceToken));
    }

    @BeforeAll
    static void connect() {
        LocalStack.requireKafkaAndPostgres();
        serviceToken = KeycloakTokens.serviceToken();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        String group = ConfigProvider.getConfig().getValue("mp.messaging.incoming.events.group.id", String.class);
        KafkaGroups.awaitAssigned(group, TOPIC, Duration.ofSeconds(60));
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    @Test
    void eventsOfOnePersonBuildOneProfile() throws Exception {
        String tenant = tenant();
        send(track(tenant, null, "a1", "Product Viewed"));
        send(track(tenant, null, "a1", "Product Viewed"));
        send(identify(tenant, "u1", "a1", Map.of("email", "Li.Wei@QQ.com", "name", "Li Wei")));
        send(track(tenant, "u1", null, "Order Completed"));

        Profile profile = awaitProfile(
                tenant,
                IdentityType.IDENTITY_TYPE_USER_ID,
                "u1",
                p -> p.getEventCountsMap().size() == 3);
        assertEquals(Map.of("Product Viewed", 2L, "identify", 1L, "Order Completed", 1L), profile.getEventCountsMap());
        assertEquals("Li Wei", profile.getTraits().getFieldsOrThrow("name").getStringValue());
        assertTrue(profile.getIdentitiesList().contains(identity(IdentityType.IDENTITY_TYPE_ANONYMOUS_ID, "a1")));
        assertTrue(profile.getIdentitiesList().contains(identity(IdentityType.IDENTITY_TYPE_EMAIL, "li.wei@qq.com")));
        assertEquals(
                profile.getId(),
                lookup(tenant, IdentityType.IDENTITY_TYPE_EMAIL, " LI.WEI@qq.com")
                        .getId(),
                "lookups normalise the identifier as events' identifiers are");
        assertTrue(profile.hasFirstSeen() && profile.hasLastSeen());
    }

    @Test
    void aRedeliveredEventIsAppliedOnce() throws Exception {
        String tenant = tenant();
        Event event = track(tenant, "u1", null, "Coupon Claimed");
        send(event);
        send(event);
        send(event);
        send(track(tenant, "u1", null, "Marker"));
        Profile profile = awaitProfile(
                tenant,
                IdentityType.IDENTITY_TYPE_USER_ID,
                "u1",
                p -> p.getEventCountsMap().containsKey("Marker"));
        assertEquals(1L, profile.getEventCountsMap().get("Coupon Claimed"));
    }

    @Test
    void signingInMergesTheAnonymousProfiles() throws Exception {
        String tenant = tenant();
        send(track(tenant, null, "phone-app", "Product Viewed"));
        send(track(tenant, null, "mini-program", "Product Added"));
        Profile miniProgram = awaitProfile(tenant, IdentityType.IDENTITY_TYPE_ANONYMOUS_ID, "mini-program", p -> true);
        awaitProfile(tenant, IdentityType.IDENTITY_TYPE_ANONYMOUS_ID, "phone-app", p -> true);

        send(identify(tenant, "u1", "phone-app", Map.of()));
        send(identify(tenant, "u1", "mini-program", Map.of()));

        Profile merged = awaitProfile(
                tenant, IdentityType.IDENTITY_TYPE_USER_ID, "u1", p -> p.getEventCountsOrDefault("identify", 0) == 2);
        assertEquals(Map.of("Product Viewed", 1L, "Product Added", 1L, "identify", 2L), merged.getEventCountsMap());
        assertEquals(
                merged.getId(),
                lookup(tenant, IdentityType.IDENTITY_TYPE_ANONYMOUS_ID, "mini-program")
                        .getId());
        Profile viaOldId = profiles.getProfile(GetProfileRequest.newBuilder()
                        .setTenant(tenant)
                        .setProfileId(miniProgram.getId())
                        .build())
                .await()
                .atMost(WAIT)
                .getProfile();
        assertEquals(merged.getId(), viaOldId.getId(), "a merged-away id finds the surviving profile");

        send(track(tenant, null, "visitor", "Product Viewed"));
        SummarizeProfilesResponse summary = await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> profiles.summarizeProfiles(SummarizeProfilesRequest.newBuilder()
                                        .setTenant(tenant)
                                        .build())
                                .await()
                                .atMost(WAIT),
                        s -> s.getProfiles() == 2);
        assertEquals(1, summary.getKnownProfiles(), "u1 signed in; the visitor did not");
        assertEquals(1, summary.getMerges(), "two anonymous profiles became one");
        assertEquals(Map.of("USER_ID", 1L, "ANONYMOUS_ID", 3L), summary.getIdentitiesByTypeMap());
        assertEquals(5, summary.getEvents());
        assertEquals("Product Viewed", summary.getTopEvents(0).getName());
        assertEquals(2, summary.getTopEvents(0).getEvents());
        assertEquals(2, summary.getTopEvents(0).getProfiles());
        assertTrue(summary.hasFirstSeen() && summary.hasLastSeen());
        assertCode(
                Status.Code.INVALID_ARGUMENT,
                () -> profiles.summarizeProfiles(SummarizeProfilesRequest.newBuilder()
                                .setTenant(tenant)
                                .setTopEvents(1_000)
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(
                0,
                profiles.summarizeProfiles(SummarizeProfilesRequest.newBuilder()
                                .setTenant(tenant())
                                .build())
                        .await()
                        .atMost(WAIT)
                        .getProfiles(),
                "another tenant has none of them");
    }

    @Test
    void profilesAreInvisibleToOtherTenants() throws Exception {
        String tenant = tenant();
        send(track(tenant, "u1", null, "Visited"));
        Profile profile = awaitProfile(tenant, IdentityType.IDENTITY_TYPE_USER_ID, "u1", p -> true);
        String other = tenant();
        assertCode(Status.Code.NOT_FOUND, () -> lookup(other, IdentityType.IDENTITY_TYPE_USER_ID, "u1"));
        assertCode(
                Status.Code.NOT_FOUND,
                () -> profiles.getProfile(GetProfileRequest.newBuilder()
                                .setTenant(other)
                                .setProfileId(profile.getId())
                                .build())
                        .await()
                        .atMost(WAIT));
    }

    @Test
    void callsWithoutAServiceTokenAreRefused() {
        LookupProfileRequest request = LookupProfileRequest.newBuilder()
                .setTenant("t")
                .setIdentity(identity(IdentityType.IDENTITY_TYPE_USER_ID, "u1"))
                .build();
        // no token: Quarkus answers PERMISSION_DENIED for an anonymous caller of a secured service
        StatusRuntimeException anonymous = assertThrows(
                StatusRuntimeException.class,
                () -> client.lookupProfile(request).await().atMost(WAIT));
        assertTrue(
                Set.of(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED)
                        .contains(anonymous.getStatus().getCode()),
                anonymous.getMessage());
        // a signed-in user's token is for the gateway (audience strata-gateway), not for the services
        ProfileService asUser =
                GrpcClientUtils.attachHeaders(client, KeycloakTokens.bearer(KeycloakTokens.accessToken("alice")));
        assertCode(
                Status.Code.UNAUTHENTICATED,
                () -> asUser.lookupProfile(request).await().atMost(WAIT));
        ProfileService forged = GrpcClientUtils.attachHeaders(client, KeycloakTokens.bearer(serviceToken + "x"));
        assertCode(
                Status.Code.UNAUTHENTICATED,
                () -> forged.lookupProfile(request).await().atMost(WAIT));
        // a partner's token is for the public APIs (audience strata-partners), not this internal one
        ProfileService asPartner = GrpcClientUtils.attachHeaders(
                client, KeycloakTokens.bearer(KeycloakTokens.clientToken("strata-partner-demo")));
        assertCode(
                Status.Code.UNAUTHENTICATED,
                () -> asPartner.lookupProfile(request).await().atMost(WAIT));
    }

    @Test
    void everyStrataServiceHasAClientWhoseTokensAreTaken() {
        LookupProfileRequest request = LookupProfileRequest.newBuilder()
                .setTenant("t-" + UUID.randomUUID())
                .setIdentity(identity(IdentityType.IDENTITY_TYPE_USER_ID, "nobody"))
                .build();
        for (String service : List.of(
                "ingestion-service",
                "dedup-service",
                "profile-service",
                "segmentation-service",
                "insight-service",
                "campaign-service")) {
            ProfileService asService = GrpcClientUtils.attachHeaders(
                    client, KeycloakTokens.bearer(KeycloakTokens.clientToken("strata-" + service)));
            // let in, and told there is no such profile
            assertCode(
                    Status.Code.NOT_FOUND,
                    () -> asService.lookupProfile(request).await().atMost(WAIT));
        }
    }

    @Test
    void badRequestsNameTheField() {
        StatusRuntimeException noTenant =
                assertCode(Status.Code.INVALID_ARGUMENT, () -> lookup("", IdentityType.IDENTITY_TYPE_USER_ID, "u1"));
        assertTrue(noTenant.getStatus().getDescription().contains("tenant"));
        StatusRuntimeException badId = assertCode(
                Status.Code.INVALID_ARGUMENT,
                () -> profiles.getProfile(GetProfileRequest.newBuilder()
                                .setTenant("t")
                                .setProfileId("42")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertTrue(badId.getStatus().getDescription().contains("profile_id"));
        StatusRuntimeException noType = assertCode(
                Status.Code.INVALID_ARGUMENT, () -> lookup("t", IdentityType.IDENTITY_TYPE_UNSPECIFIED, "u1"));
        assertTrue(noType.getStatus().getDescription().contains("identity.type"));
    }

    @Test
    void aRecordThatIsNoEventGoesToTheDeadLetterTopic() {
        String key = "garbage/" + UUID.randomUUID();
        try (KafkaProbe dlq = new KafkaProbe("strata.events.dlq.v1")) {
            producer.send(new ProducerRecord<>(TOPIC, key, "not a protobuf event".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
            var records = dlq.await(r -> key.equals(r.key()), 1, WAIT);
            assertEquals(1, records.size());
            assertTrue(new String(
                                    records.get(0)
                                            .headers()
                                            .lastHeader("strata-dlq-reason")
                                            .value(),
                                    StandardCharsets.UTF_8)
                            .length()
                    > 0);
        }
    }

    @Test
    void anEventTheDatabaseRefusesGoesToTheDeadLetterTopicWithoutHoldingUpTheOthers() throws Exception {
        String tenant = tenant();
        Event poison = identify(tenant, "u-poison", null, Map.of("nickname", "a\u0000b"));
        try (KafkaProbe dlq = new KafkaProbe("strata.events.dlq.v1")) {
            send(track(tenant, "u-ok", null, "Before"));
            send(poison);
            send(track(tenant, "u-ok", null, "After"));
            Profile ok = awaitProfile(
                    tenant,
                    IdentityType.IDENTITY_TYPE_USER_ID,
                    "u-ok",
                    p -> p.getEventCountsMap().containsKey("After"));
            assertEquals(Map.of("Before", 1L, "After", 1L), ok.getEventCountsMap());
            var dead = dlq.await(r -> r.key().equals(tenant + "/u-poison"), 1, WAIT);
            assertEquals(1, dead.size());
            assertEquals(poison, Event.parseFrom(dead.get(0).value()), "the event is kept as it was");
        }
        assertCode(Status.Code.NOT_FOUND, () -> lookup(tenant, IdentityType.IDENTITY_TYPE_USER_ID, "u-poison"));
    }

    private Profile awaitProfile(
            String tenant, IdentityType type, String value, java.util.function.Predicate<Profile> ready) {
        return await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> lookup(tenant, type, value), ready);
    }

    private Profile lookup(String tenant, IdentityType type, String value) {
        return profiles.lookupProfile(LookupProfileRequest.newBuilder()
                        .setTenant(tenant)
                        .setIdentity(identity(type, value))
                        .build())
                .await()
                .atMost(WAIT)
                .getProfile();
    }

    private static StatusRuntimeException assertCode(Status.Code code, org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        return e;
    }

    private static Identity identity(IdentityType type, String value) {
        return Identity.newBuilder().setType(type).setValue(value).build();
    }

    private static String tenant() {
        return "test-" + UUID.randomUUID();
    }

    private static void send(Event event) throws Exception {
        String key =
                event.getTenant() + "/" + (event.getUserId().isEmpty() ? event.getAnonymousId() : event.getUserId());
        producer.send(new ProducerRecord<>(TOPIC, key, event.toByteArray())).get();
    }

    private static Event.Builder base(String tenant, String userId, String anonymousId) {
        Instant now = Instant.now();
        Event.Builder e = Event.newBuilder()
                .setTenant(tenant)
                .setSourceId("test")
                .setMessageId(UUID.randomUUID().toString())
                .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                .setReceivedAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()));
        if (userId != null) {
            e.setUserId(userId);
        }
        if (anonymousId != null) {
            e.setAnonymousId(anonymousId);
        }
        return e;
    }

    private static Event track(String tenant, String userId, String anonymousId, String name) {
        return base(tenant, userId, anonymousId)
                .setType(EventType.EVENT_TYPE_TRACK)
                .setEvent(name)
                .build();
    }

    private static Event identify(String tenant, String userId, String anonymousId, Map<String, String> traits) {
        Struct.Builder struct = Struct.newBuilder();
        traits.forEach((k, v) ->
                struct.putFields(k, Value.newBuilder().setStringValue(v).build()));
        return base(tenant, userId, anonymousId)
                .setType(EventType.EVENT_TYPE_IDENTIFY)
                .setTraits(struct)
                .build();
    }
}
