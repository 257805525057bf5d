package io.strata.profile.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.platform.errors.Errors;
import io.strata.platform.grpc.CallerInterceptor;
import io.strata.profile.support.TestEvents;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.profile.v1.GetProfileRequest;
import io.strata.proto.profile.v1.LookupProfileRequest;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.ProfileService;
import io.strata.proto.profile.v1.SummarizeProfilesRequest;
import io.strata.testing.KafkaGroups;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.TestTopics;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The gRPC API as the gateway calls it: its service token, and the signed-in user's token naming
 * the tenant. Real tokens of the local realm; alice is an admin of tenant demo, bob of acme, vic a
 * viewer of demo, nora a viewer of no tenant.
 */
@QuarkusTest
class ProfileGrpcServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static String gateway;
    private static String alice;

    @GrpcClient("profile")
    ProfileService client;

    @BeforeAll
    static void tokens() {
        gateway = KeycloakTokens.serviceToken();
        alice = KeycloakTokens.accessToken("alice");
    }

    private ProfileService as(String serviceToken, String userToken) {
        Metadata metadata = new Metadata();
        if (serviceToken != null) {
            metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + serviceToken);
        }
        if (userToken != null) {
            metadata.put(CallerInterceptor.USER_TOKEN_HEADER, userToken);
        }
        return GrpcClientUtils.attachHeaders(client, metadata);
    }

    @Test
    void theGatewayReadsProfilesOfTheSignedInUsersTenant() throws Exception {
        String group = ConfigProvider.getConfig().getValue("mp.messaging.incoming.events.group.id", String.class);
        KafkaGroups.awaitAssigned(group, TestTopics.EVENTS, Duration.ofSeconds(60));
        String user = "grpc-" + UUID.randomUUID();
        try (TestEvents events = new TestEvents()) {
            events.send(TestEvents.track("demo", user, null, "Visited"));
        }
        ProfileService profiles = as(gateway, alice);
        Profile profile = await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(
                        () -> lookup(profiles, "demo", user),
                        p -> p.getEventCountsMap().containsKey("Visited"));
        assertEquals("demo", profile.getTenant());
        assertEquals(
                profile.getId(),
                profiles.getProfile(GetProfileRequest.newBuilder()
                                .setTenant("demo")
                                .setProfileId(profile.getId())
                                .build())
                        .await()
                        .atMost(WAIT)
                        .getProfile()
                        .getId());
        assertTrue(profiles.summarizeProfiles(SummarizeProfilesRequest.newBuilder()
                                .setTenant("demo")
                                .build())
                        .await()
                        .atMost(WAIT)
                        .getProfiles()
                >= 1);
        // a viewer may read too
        assertEquals(
                profile.getId(),
                lookup(as(gateway, KeycloakTokens.accessToken("vic")), "demo", user)
                        .getId());
    }

    @Test
    void theTenantOfACallIsTheUsersWhateverTheCallerAsks() {
        StatusRuntimeException other =
                assertCode(Status.Code.PERMISSION_DENIED, () -> lookup(as(gateway, alice), "acme", "u1"));
        assertEquals("TENANT_MISMATCH", Errors.reason(other).orElse(null));
        assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> lookup(as(gateway, KeycloakTokens.accessToken("bob")), "demo", "u1"));
        StatusRuntimeException noTenant = assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> lookup(as(gateway, KeycloakTokens.accessToken("nora")), "demo", "u1"));
        assertEquals("TENANT_MISMATCH", Errors.reason(noTenant).orElse(null));
    }

    @Test
    void onlyTheGatewayCallsAndOnlyWithAValidUserToken() {
        StatusRuntimeException noUser =
                assertCode(Status.Code.PERMISSION_DENIED, () -> lookup(as(gateway, null), "demo", "u1"));
        assertEquals("CLIENT_NOT_ALLOWED", Errors.reason(noUser).orElse(null));
        assertCode(Status.Code.UNAUTHENTICATED, () -> lookup(as(gateway, alice + "x"), "demo", "u1"));
        // a service client that is not the gateway's may not call for users, even with a user's token
        StatusRuntimeException otherClient = assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> lookup(as(KeycloakTokens.clientToken("strata-test-service"), alice), "demo", "u1"));
        assertEquals("CLIENT_NOT_ALLOWED", Errors.reason(otherClient).orElse(null));
        // no service token at all; a user's or a partner's token (other audiences); a forged one
        StatusRuntimeException anonymous =
                assertThrows(StatusRuntimeException.class, () -> lookup(as(null, alice), "demo", "u1"));
        assertTrue(Set.of(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED)
                .contains(anonymous.getStatus().getCode()));
        assertCode(Status.Code.UNAUTHENTICATED, () -> lookup(as(alice, alice), "demo", "u1"));
        // a partner's token is valid here (it may look up tags), but not for this method
        assertCode(
                Status.Code.PERMISSION_DENIED,
                () -> lookup(as(KeycloakTokens.clientToken("strata-partner-demo"), alice), "demo", "u1"));
        assertCode(Status.Code.UNAUTHENTICATED, () -> lookup(as(gateway + "x", alice), "demo", "u1"));
    }

    @Test
    void badRequestsNameTheField() {
        ProfileService profiles = as(gateway, alice);
        assertField("tenant", () -> lookup(profiles, "", "u1"));
        assertField(
                "profile_id",
                () -> profiles.getProfile(GetProfileRequest.newBuilder()
                                .setTenant("demo")
                                .setProfileId("42")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertField(
                "identity.type",
                () -> profiles.lookupProfile(LookupProfileRequest.newBuilder()
                                .setTenant("demo")
                                .setIdentity(Identity.newBuilder().setValue("u1"))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertField(
                "top_events",
                () -> profiles.summarizeProfiles(SummarizeProfilesRequest.newBuilder()
                                .setTenant("demo")
                                .setTopEvents(1_000)
                                .build())
                        .await()
                        .atMost(WAIT));
        assertCode(Status.Code.NOT_FOUND, () -> lookup(profiles, "demo", "nobody-" + UUID.randomUUID()));
    }

    private static Profile lookup(ProfileService profiles, String tenant, String userId) {
        return profiles.lookupProfile(LookupProfileRequest.newBuilder()
                        .setTenant(tenant)
                        .setIdentity(Identity.newBuilder()
                                .setType(IdentityType.IDENTITY_TYPE_USER_ID)
                                .setValue(userId))
                        .build())
                .await()
                .atMost(WAIT)
                .getProfile();
    }

    private static void assertField(String field, Executable call) {
        StatusRuntimeException e = assertCode(Status.Code.INVALID_ARGUMENT, call);
        assertEquals(field, Errors.violations(e).get(0).field(), e.getMessage());
    }

    private static StatusRuntimeException assertCode(Status.Code code, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        return e;
    }
}
