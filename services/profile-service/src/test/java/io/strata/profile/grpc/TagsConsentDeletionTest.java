package io.strata.profile.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.platform.errors.Errors;
import io.strata.profile.support.TestEvents;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.common.v1.IdentityType;
import io.strata.proto.events.v1.EventType;
import io.strata.proto.profile.v1.ConsentUpdate;
import io.strata.proto.profile.v1.CreateTagDefinitionRequest;
import io.strata.proto.profile.v1.GetConsentsRequest;
import io.strata.proto.profile.v1.LookupProfileRequest;
import io.strata.proto.profile.v1.LookupTagsRequest;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.ProfileRef;
import io.strata.proto.profile.v1.ProfileService;
import io.strata.proto.profile.v1.RequestDeletionRequest;
import io.strata.proto.profile.v1.SetConsentsRequest;
import io.strata.proto.profile.v1.SetTagsRequest;
import io.strata.proto.profile.v1.SetTagsResponse;
import io.strata.proto.profile.v1.TagAssignment;
import io.strata.proto.profile.v1.TagDefinition;
import io.strata.proto.profile.v1.TagService;
import io.strata.testing.KafkaGroups;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.TestTopics;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tags, consent and deletion through the gRPC API, against the real database, Kafka and tokens:
 * rule tags follow the profile's events, bulk sets report what they refused, model tags are for
 * services only, consent is per channel, purpose and sender, and a deletion leaves nothing of the
 * person and drops their later events. alice is an admin of demo, mia a marketer of demo, vic a
 * viewer of demo, bob an admin of acme.
 */
@QuarkusTest
class TagsConsentDeletionTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @GrpcClient("profile")
    ProfileService profileClient;

    @GrpcClient("profile")
    TagService tagClient;

    @Inject
    Pool pool;

    private static String gateway;

    @BeforeAll
    static void ready() throws Exception {
        gateway = KeycloakTokens.serviceToken();
        String group = ConfigProvider.getConfig().getValue("mp.messaging.incoming.events.group.id", String.class);
        KafkaGroups.awaitAssigned(group, TestTopics.EVENTS, Duration.ofSeconds(60));
    }

    private ProfileService profiles(String user) {
        return GrpcClientUtils.attachHeaders(
                profileClient, KeycloakTokens.forUser(gateway, KeycloakTokens.accessToken(user)));
    }

    private TagService tags(String user) {
        return GrpcClientUtils.attachHeaders(
                tagClient, KeycloakTokens.forUser(gateway, KeycloakTokens.accessToken(user)));
    }

    /** The call's failure (it must fail). */
    private static StatusRuntimeException refused(java.util.function.Supplier<io.smallrye.mutiny.Uni<?>> call) {
        return assertThrows(
                StatusRuntimeException.class, () -> call.get().await().atMost(WAIT));
    }

    private static SetTagsRequest setTag(String key, String user, String value) {
        return SetTagsRequest.newBuilder()
                .setTenant("demo")
                .setTagKey(key)
                .addAssignments(TagAssignment.newBuilder().setProfile(ref(user)).setValue(value))
                .build();
    }

    private static Identity userId(String id) {
        return Identity.newBuilder()
                .setType(IdentityType.IDENTITY_TYPE_USER_ID)
                .setValue(id)
                .build();
    }

    private static ProfileRef ref(String user) {
        return ProfileRef.newBuilder().setIdentity(userId(user)).build();
    }

    private Profile lookup(String user) {
        return profiles("alice")
                .lookupProfile(LookupProfileRequest.newBuilder()
                        .setTenant("demo")
                        .setIdentity(userId(user))
                        .build())
                .await()
                .atMost(WAIT)
                .getProfile();
    }

    private static io.strata.proto.events.v1.Event order(String user, double revenue, String category) {
        Struct product = Struct.newBuilder()
                .putFields(
                        "product_id",
                        Value.newBuilder().setStringValue("P-" + category).build())
                .putFields(
                        "category", Value.newBuilder().setStringValue(category).build())
                .build();
        Struct properties = Struct.newBuilder()
                .putFields("revenue", Value.newBuilder().setNumberValue(revenue).build())
                .putFields(
                        "products",
                        Value.newBuilder()
                                .setListValue(ListValue.newBuilder()
                                        .addValues(Value.newBuilder().setStructValue(product)))
                                .build())
                .build();
        return TestEvents.base("demo", user, null)
                .setType(EventType.EVENT_TYPE_TRACK)
                .setEvent("Order Completed")
                .setProperties(properties)
                .build();
    }

    @Test
    void ruleTagsFollowTheProfilesEvents() throws Exception {
        String user = "tags-" + UUID.randomUUID();
        String anonymous = "anon-" + UUID.randomUUID();
        try (TestEvents events = new TestEvents()) {
            // an anonymous visit, then the sign-in that joins it to the user (in either order)
            events.send(TestEvents.track("demo", null, anonymous, "Visited"));
            events.send(
                    TestEvents.identify("demo", user, anonymous, Map.of("gender", "female", "birthday", "1990-05-01")));
            events.send(order(user, 120, "skincare"));
        }
        Profile first = await().atMost(WAIT)
                .ignoreExceptions()
                .until(() -> lookup(user), p -> p.getTagsMap().containsKey("first_time_buyer"));
        assertEquals("female", first.getTagsOrThrow("gender").getEnumValue());
        assertEquals("1990-05-01", first.getTagsOrThrow("birthday").getDateValue());
        assertEquals(1.0, first.getTagsOrThrow("orders_total").getNumberValue());
        assertEquals("rule", first.getTagsOrThrow("gender").getSource());
        assertTrue(first.getTagsOrThrow("known_customer").getBoolValue(), "counted identifiers: a user id");
        long exact = pool.preparedQuery("""
                        select count(*) from profiles p
                        where p.id = $1 and p.identity_counts = (
                            select jsonb_object_agg(type, n) from (
                                select type, count(*) as n from profile_identities where profile_id = $1 group by type) c)""")
                .execute(Tuple.of(UUID.fromString(first.getId())))
                .await()
                .atMost(WAIT)
                .iterator()
                .next()
                .getLong(0);
        assertEquals(1, exact, "the identifiers counted on the profile are those it has");
        assertFalse(first.getTagsMap().containsKey("repeat_buyer"));

        try (TestEvents events = new TestEvents()) {
            events.send(order(user, 80, "masks"));
        }
        Profile second = await().atMost(WAIT)
                .ignoreExceptions()
                .until(() -> lookup(user), p -> p.getTagsMap().containsKey("repeat_buyer"));
        assertFalse(second.getTagsMap().containsKey("first_time_buyer"), "the rule no longer holds: the tag is gone");
        assertEquals(200.0, second.getTagsOrThrow("revenue_total").getNumberValue());
    }

    @Test
    void tagsAreSetInBulkWithTheRowsRefused() throws Exception {
        String a = "bulk-a-" + UUID.randomUUID();
        String b = "bulk-b-" + UUID.randomUUID();
        try (TestEvents events = new TestEvents()) {
            events.send(TestEvents.track("demo", a, null, "Visited"));
            events.send(TestEvents.track("demo", b, null, "Visited"));
        }
        await().atMost(WAIT).ignoreExceptions().until(() -> lookup(a) != null && lookup(b) != null);

        SetTagsResponse response = tags("mia")
                .setTags(SetTagsRequest.newBuilder()
                        .setTenant("demo")
                        .setTagKey("vip_manual")
                        .addAssignments(
                                TagAssignment.newBuilder().setProfile(ref(a)).setValue("true"))
                        .addAssignments(
                                TagAssignment.newBuilder().setProfile(ref(b)).setValue("perhaps"))
                        .addAssignments(TagAssignment.newBuilder()
                                .setProfile(ref("nobody-" + UUID.randomUUID()))
                                .setValue("true"))
                        .addAssignments(TagAssignment.newBuilder()
                                .setProfile(ProfileRef.newBuilder().setProfileId("not-a-uuid"))
                                .setValue("true"))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(1, response.getApplied());
        assertEquals(1, response.getChanged());
        assertEquals(
                List.of(1, 2, 3),
                response.getRefusedList().stream().map(r -> r.getRow()).toList());
        assertEquals("value", response.getRefused(0).getField());
        assertEquals("profile", response.getRefused(1).getField());
        assertEquals("profile.profile_id", response.getRefused(2).getField());
        Profile tagged = lookup(a);
        assertTrue(tagged.getTagsOrThrow("vip_manual").getBoolValue());
        assertEquals("manual", tagged.getTagsOrThrow("vip_manual").getSource());
        assertFalse(lookup(b).getTagsMap().containsKey("vip_manual"));

        // the tag filters profiles and is counted
        var since = com.google.protobuf.Timestamp.newBuilder()
                .setSeconds(java.time.Instant.now().minusSeconds(120).getEpochSecond())
                .build();
        var listed = profiles("vic")
                .listProfiles(io.strata.proto.profile.v1.ListProfilesRequest.newBuilder()
                        .setTenant("demo")
                        .addTags("vip_manual=true")
                        .setSeenSince(since)
                        .setPageSize(500)
                        .build())
                .await()
                .atMost(WAIT)
                .getProfilesList();
        // (other runs' tagged profiles of the last minutes may be listed too)
        List<String> ids = listed.stream().map(Profile::getId).toList();
        assertTrue(ids.contains(tagged.getId()), "the tagged profile is listed");
        assertFalse(ids.contains(lookup(b).getId()), "the profile without the tag is not");
        var counts = tags("vic")
                .countTags(io.strata.proto.profile.v1.CountTagsRequest.newBuilder()
                        .setTenant("demo")
                        .build())
                .await()
                .atMost(WAIT);
        var vipCount = counts.getTagsList().stream()
                .filter(t -> t.getKey().equals("vip_manual"))
                .findFirst()
                .orElseThrow();
        assertTrue(vipCount.getValuesOrThrow("true") >= 1);
        assertTrue(
                counts.getTagsList().stream().anyMatch(t -> t.getKey().equals("orders_total") && t.getProfiles() >= 2));

        // a rule tag is computed; a model tag is its service's; a viewer sets nothing; another tenant's user neither
        StatusRuntimeException rule = refused(() -> tags("mia").setTags(setTag("repeat_buyer", a, "true")));
        assertEquals(Status.Code.INVALID_ARGUMENT, rule.getStatus().getCode());
        assertEquals("tag_key", Errors.violations(rule).get(0).field());
        StatusRuntimeException model = refused(() -> tags("mia").setTags(setTag("rfm_group", a, "important_value")));
        assertEquals(Status.Code.INVALID_ARGUMENT, model.getStatus().getCode());
        SetTagsRequest vip = setTag("vip_manual", b, "true");
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> tags("vic").setTags(vip)).getStatus().getCode());
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> tags("bob").setTags(vip)).getStatus().getCode());
        assertFalse(lookup(b).getTagsMap().containsKey("vip_manual"));

        // a partner looks up tags and consent of its own tenant only
        TagService partner = GrpcClientUtils.attachHeaders(
                tagClient, KeycloakTokens.bearer(KeycloakTokens.clientToken("strata-partner-demo")));
        var found = partner.lookupTags(
                        LookupTagsRequest.newBuilder().setIdentity(userId(a)).build())
                .await()
                .atMost(WAIT);
        assertTrue(found.getTagsOrThrow("vip_manual").getBoolValue());
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> partner.lookupTags(LookupTagsRequest.newBuilder()
                                .setTenant("acme")
                                .setIdentity(userId(a))
                                .build()))
                        .getStatus()
                        .getCode());
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> partner.setTags(vip)).getStatus().getCode());
    }

    @Test
    void aTenantsOwnRuleTagIsComputedForEveryProfile() throws Exception {
        String user = "own-" + UUID.randomUUID();
        try (TestEvents events = new TestEvents()) {
            events.send(TestEvents.track("demo", user, null, "Webinar Joined"));
        }
        await().atMost(WAIT).ignoreExceptions().until(() -> lookup(user) != null);
        String key = "webinar_" + UUID.randomUUID().toString().substring(0, 8);
        Struct rule = Struct.newBuilder()
                .putFields(
                        "when",
                        Value.newBuilder()
                                .setStructValue(Struct.newBuilder()
                                        .putFields(
                                                "of",
                                                Value.newBuilder()
                                                        .setStructValue(Struct.newBuilder()
                                                                .putFields(
                                                                        "event",
                                                                        Value.newBuilder()
                                                                                .setStringValue("Webinar Joined")
                                                                                .build())
                                                                .putFields(
                                                                        "measure",
                                                                        Value.newBuilder()
                                                                                .setStringValue("count")
                                                                                .build()))
                                                        .build())
                                        .putFields(
                                                "op",
                                                Value.newBuilder()
                                                        .setStringValue("gte")
                                                        .build())
                                        .putFields(
                                                "value",
                                                Value.newBuilder()
                                                        .setNumberValue(1)
                                                        .build()))
                                .build())
                .build();
        TagDefinition.Builder definition = TagDefinition.newBuilder()
                .setKey(key)
                .setName("Joined a webinar")
                .setKind("rule")
                .setValueType("boolean")
                .setCategory("behaviour/events")
                .setRule(rule);
        TagDefinition created = tags("mia")
                .createTagDefinition(CreateTagDefinitionRequest.newBuilder()
                        .setTenant("demo")
                        .setDefinition(definition)
                        .build())
                .await()
                .atMost(WAIT)
                .getDefinition();
        assertEquals(key, created.getKey());
        assertEquals(
                1.0,
                created.getRule()
                        .getFieldsOrThrow("when")
                        .getStructValue()
                        .getFieldsOrThrow("value")
                        .getNumberValue());
        // the recompute reaches the profile that joined before the tag existed
        await().atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> lookup(user).getTagsMap().containsKey(key));

        // a bad rule names its field; a taken key is a conflict
        StatusRuntimeException bad = refused(() -> tags("mia")
                .createTagDefinition(CreateTagDefinitionRequest.newBuilder()
                        .setTenant("demo")
                        .setDefinition(definition
                                .clone()
                                .setKey(key + "_x")
                                .setRule(Struct.newBuilder()
                                        .putFields(
                                                "when",
                                                Value.newBuilder()
                                                        .setStructValue(Struct.newBuilder()
                                                                .putFields(
                                                                        "of",
                                                                        Value.newBuilder()
                                                                                .setStructValue(Struct.newBuilder()
                                                                                        .putFields(
                                                                                                "orders",
                                                                                                Value.newBuilder()
                                                                                                        .setStringValue(
                                                                                                                "profit")
                                                                                                        .build()))
                                                                                .build())
                                                                .putFields(
                                                                        "op",
                                                                        Value.newBuilder()
                                                                                .setStringValue("gte")
                                                                                .build())
                                                                .putFields(
                                                                        "value",
                                                                        Value.newBuilder()
                                                                                .setNumberValue(1)
                                                                                .build()))
                                                        .build())))
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertEquals(
                "definition.rule.when.of.orders", Errors.violations(bad).get(0).field());
        StatusRuntimeException taken = refused(() -> tags("mia")
                .createTagDefinition(CreateTagDefinitionRequest.newBuilder()
                        .setTenant("demo")
                        .setDefinition(definition.clone().setKey("gender"))
                        .build()));
        assertEquals(Status.Code.ALREADY_EXISTS, taken.getStatus().getCode());
        // an analyst may not define tags
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> tags("vic")
                                .createTagDefinition(CreateTagDefinitionRequest.newBuilder()
                                        .setTenant("demo")
                                        .setDefinition(definition.clone().setKey(key + "_y"))
                                        .build()))
                        .getStatus()
                        .getCode());
    }

    @Test
    void consentIsPerChannelPurposeAndSenderAndTheLatestStatementWins() throws Exception {
        String user = "consent-" + UUID.randomUUID();
        visited(user);
        com.google.protobuf.Timestamp earlier = com.google.protobuf.Timestamp.newBuilder()
                .setSeconds(java.time.Instant.now().minusSeconds(3600).getEpochSecond())
                .build();
        var response = profiles("mia")
                .setConsents(SetConsentsRequest.newBuilder()
                        .setTenant("demo")
                        .addUpdates(ConsentUpdate.newBuilder()
                                .setProfile(ref(user))
                                .setChannel("sms")
                                .setPurpose("marketing")
                                .setSender("【蓝序】")
                                .setGranted(true)
                                .setSource("preference-center"))
                        .addUpdates(ConsentUpdate.newBuilder()
                                .setProfile(ref(user))
                                .setChannel("sms")
                                .setPurpose("marketing")
                                .setSender("【蓝序】")
                                .setGranted(false)
                                .setAt(earlier)
                                .setSource("import"))
                        .addUpdates(ConsentUpdate.newBuilder()
                                .setProfile(ref(user))
                                .setChannel("SMS!")
                                .setPurpose("marketing"))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(2, response.getApplied());
        assertEquals(1, response.getRefusedCount());
        assertEquals("channel", response.getRefused(0).getField());
        var consents = consentsOf(user);
        assertEquals(1, consents.size());
        assertTrue(consents.get(0).getGranted(), "the older statement does not override the newer");
        assertEquals("【蓝序】", consents.get(0).getSender());
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> profiles("bob")
                                .getConsents(GetConsentsRequest.newBuilder()
                                        .setTenant("demo")
                                        .setProfile(ref(user))
                                        .build()))
                        .getStatus()
                        .getCode());
    }

    @Test
    void campaignServiceRecordsAnOptOutReplyAndNoOtherServiceRecordsConsent() throws Exception {
        String user = "reply-" + UUID.randomUUID();
        visited(user);
        var optOut = SetConsentsRequest.newBuilder()
                .setTenant("demo")
                .addUpdates(ConsentUpdate.newBuilder()
                        .setProfile(ref(user))
                        .setChannel("sms")
                        .setPurpose("marketing")
                        .setSender("【蓝序】")
                        .setGranted(false)
                        .setSource("reply:sms"))
                .build();
        var campaign = GrpcClientUtils.attachHeaders(
                profileClient, KeycloakTokens.bearer(KeycloakTokens.clientToken("strata-campaign-service")));
        assertEquals(1, campaign.setConsents(optOut).await().atMost(WAIT).getApplied());
        var consents = consentsOf(user);
        assertEquals(1, consents.size());
        assertEquals(false, consents.get(0).getGranted());
        assertEquals("reply:sms", consents.get(0).getSource());
        // a service relays refusals people replied, never a grant
        var grant = optOut.toBuilder()
                .setUpdates(0, optOut.getUpdates(0).toBuilder().setGranted(true))
                .build();
        var notAGrant = refused(() -> campaign.setConsents(grant));
        assertEquals(Status.Code.INVALID_ARGUMENT, notAGrant.getStatus().getCode());
        // the gateway's own token (no user) is not a consent writer
        var gatewayAlone = GrpcClientUtils.attachHeaders(profileClient, KeycloakTokens.bearer(gateway));
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> gatewayAlone.setConsents(optOut)).getStatus().getCode());
    }

    /** A profile of the user, made by an event. */
    private void visited(String user) throws Exception {
        try (TestEvents events = new TestEvents()) {
            events.send(TestEvents.track("demo", user, null, "Visited"));
        }
        await().atMost(WAIT).ignoreExceptions().until(() -> lookup(user) != null);
    }

    /** The user's consent as a viewer reads it. */
    private java.util.List<io.strata.proto.profile.v1.Consent> consentsOf(String user) {
        return profiles("vic")
                .getConsents(GetConsentsRequest.newBuilder()
                        .setTenant("demo")
                        .setProfile(ref(user))
                        .build())
                .await()
                .atMost(WAIT)
                .getConsentsList();
    }

    @Test
    void aDeletionLeavesNothingOfThePersonAndDropsTheirLaterEvents() throws Exception {
        String user = "forget-" + UUID.randomUUID();
        String anonymous = "anon-" + UUID.randomUUID();
        String email = user + "@example.com";
        try (TestEvents events = new TestEvents()) {
            events.send(TestEvents.identify("demo", user, anonymous, Map.of("email", email, "gender", "male")));
            events.send(order(user, 50, "coffee"));
        }
        Profile profile = await().atMost(WAIT)
                .ignoreExceptions()
                .until(() -> lookup(user), p -> p.getTagsMap().containsKey("first_time_buyer"));
        UUID id = UUID.fromString(profile.getId());
        profiles("mia")
                .setConsents(SetConsentsRequest.newBuilder()
                        .setTenant("demo")
                        .addUpdates(ConsentUpdate.newBuilder()
                                .setProfile(ref(user))
                                .setChannel("email")
                                .setPurpose("marketing")
                                .setGranted(true))
                        .build())
                .await()
                .atMost(WAIT);

        RequestDeletionRequest request = RequestDeletionRequest.newBuilder()
                .setTenant("demo")
                .setProfile(ProfileRef.newBuilder()
                        .setIdentity(Identity.newBuilder()
                                .setType(IdentityType.IDENTITY_TYPE_EMAIL)
                                .setValue(email.toUpperCase())))
                .setReason("the person asked")
                .build();
        // only an admin deletes
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> profiles("mia").requestDeletion(request))
                        .getStatus()
                        .getCode());
        var deletion =
                profiles("alice").requestDeletion(request).await().atMost(WAIT).getRequest();
        assertEquals("completed", deletion.getStatus());
        assertEquals(1, deletion.getProfiles());
        assertEquals(Set.of(3), Set.of(deletion.getIdentifiers()), "user id, anonymous id, email");
        assertEquals(2, deletion.getEvents());
        assertEquals("EMAIL", deletion.getIdentityType());

        for (String table : List.of(
                "profiles",
                "profile_identities",
                "profile_merges",
                "profile_event_log",
                "profile_merge_history",
                "identity_refusals")) {
            String column = switch (table) {
                case "profiles" -> "id";
                case "profile_merges", "profile_merge_history" -> "into_id";
                default -> "profile_id";
            };
            long left = pool.preparedQuery("select count(*) from " + table + " where " + column + " = $1")
                    .execute(Tuple.of(id))
                    .await()
                    .atMost(WAIT)
                    .iterator()
                    .next()
                    .getLong(0);
            assertEquals(0, left, table + " still holds the person");
        }
        long values = pool.preparedQuery("""
                        select count(*) from profile_identities where value in ($1, $2, $3)""")
                .execute(Tuple.of(user, anonymous, email))
                .await()
                .atMost(WAIT)
                .iterator()
                .next()
                .getLong(0);
        assertEquals(0, values);
        long audit = pool.preparedQuery("""
                        select count(*) from deletion_requests
                        where id = $1 and requested_by is not null and completed_at is not null
                          and cast(to_jsonb(deletion_requests) as text) not like $2""")
                .execute(Tuple.of(UUID.fromString(deletion.getId()), "%" + user + "%"))
                .await()
                .atMost(WAIT)
                .iterator()
                .next()
                .getLong(0);
        assertEquals(1, audit, "the request is logged, without the person's identifiers");

        // later events of the person are dropped: no profile comes back, for any of their identifiers
        try (TestEvents events = new TestEvents()) {
            events.send(TestEvents.track("demo", user, null, "Visited"));
            events.send(TestEvents.track("demo", null, anonymous, "Visited"));
        }
        String marker = "marker-" + UUID.randomUUID();
        try (TestEvents events = new TestEvents()) {
            events.send(TestEvents.track("demo", marker, null, "Visited"));
        }
        await().atMost(WAIT).ignoreExceptions().until(() -> lookup(marker) != null);
        StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> lookup(user));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
    }

    private static io.strata.proto.profile.v1.SetIdentityRulesRequest rules(
            String tenant, int deviceLimit, Long expectedVersion) {
        var request = io.strata.proto.profile.v1.SetIdentityRulesRequest.newBuilder()
                .setTenant(tenant)
                .setRules(io.strata.proto.profile.v1.IdentityRules.newBuilder()
                        .addLimits(io.strata.proto.profile.v1.IdentityLimit.newBuilder()
                                .setType(IdentityType.IDENTITY_TYPE_USER_ID)
                                .setMax(1))
                        .addLimits(io.strata.proto.profile.v1.IdentityLimit.newBuilder()
                                .setType(IdentityType.IDENTITY_TYPE_DEVICE_ID)
                                .setMax(deviceLimit)));
        if (expectedVersion != null) {
            request.setExpectedVersion(expectedVersion);
        }
        return request.build();
    }

    @Test
    void identityRulesMergeHistoryAndUnmergeAreForTheirRolesAndTenantOnly() throws Exception {
        var getDemo = io.strata.proto.profile.v1.GetIdentityRulesRequest.newBuilder()
                .setTenant("demo")
                .build();
        assertTrue(
                profiles("vic").getIdentityRules(getDemo).await().atMost(WAIT).hasRules(), "a viewer reads them");
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> profiles("bob").getIdentityRules(getDemo))
                        .getStatus()
                        .getCode(),
                "another tenant's admin does not");
        for (String user : List.of("vic", "mia")) {
            assertEquals(
                    Status.Code.PERMISSION_DENIED,
                    refused(() -> profiles(user).setIdentityRules(rules("demo", 5, null)))
                            .getStatus()
                            .getCode(),
                    user + " may not set them");
        }
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> profiles("alice").setIdentityRules(rules("acme", 5, null)))
                        .getStatus()
                        .getCode(),
                "an admin of demo does not set acme's");
        StatusRuntimeException invalid = refused(() -> profiles("bob").setIdentityRules(rules("acme", 0, null)));
        assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
        assertEquals("rules.limits[1].max", Errors.violations(invalid).get(0).field());
        // acme's rules set to what the defaults are, twice: the second names a version no longer current
        var set = profiles("bob")
                .setIdentityRules(rules("acme", 1000, null))
                .await()
                .atMost(WAIT)
                .getRules();
        assertEquals("bob", set.getUpdatedBy());
        assertEquals(
                Status.Code.FAILED_PRECONDITION,
                refused(() -> profiles("bob").setIdentityRules(rules("acme", 1000, set.getVersion() - 1)))
                        .getStatus()
                        .getCode());
        profiles("bob")
                .setIdentityRules(rules("acme", 1000, set.getVersion()))
                .await()
                .atMost(WAIT);

        String user = "history-" + UUID.randomUUID();
        String acmeUser = "history-acme-" + UUID.randomUUID();
        try (TestEvents events = new TestEvents()) {
            events.send(TestEvents.track("demo", user, null, "Visited"));
            events.send(TestEvents.track("acme", acmeUser, null, "Visited"));
        }
        Profile demoProfile = await().atMost(WAIT).ignoreExceptions().until(() -> lookup(user), p -> true);
        var history = io.strata.proto.profile.v1.GetMergeHistoryRequest.newBuilder()
                .setTenant("demo")
                .setProfileId(demoProfile.getId())
                .build();
        assertEquals(
                demoProfile.getId(),
                profiles("vic").getMergeHistory(history).await().atMost(WAIT).getProfileId());
        assertEquals(
                Status.Code.PERMISSION_DENIED,
                refused(() -> profiles("bob").getMergeHistory(history))
                        .getStatus()
                        .getCode());
        String acmeId = await().atMost(WAIT)
                .ignoreExceptions()
                .until(
                        () -> profiles("bob")
                                .lookupProfile(LookupProfileRequest.newBuilder()
                                        .setTenant("acme")
                                        .setIdentity(userId(acmeUser))
                                        .build())
                                .await()
                                .atMost(WAIT)
                                .getProfile()
                                .getId(),
                        id -> true);
        assertEquals(
                Status.Code.NOT_FOUND,
                refused(() -> profiles("alice")
                                .getMergeHistory(
                                        history.toBuilder().setProfileId(acmeId).build()))
                        .getStatus()
                        .getCode(),
                "acme's profile is not found in demo");

        var unmerge = io.strata.proto.profile.v1.UnmergeRequest.newBuilder()
                .setTenant("demo")
                .setProfileId(demoProfile.getId())
                .setMergedProfileId(UUID.randomUUID().toString())
                .build();
        for (String nonAdmin : List.of("vic", "mia", "bob")) {
            assertEquals(
                    Status.Code.PERMISSION_DENIED,
                    refused(() -> profiles(nonAdmin).unmerge(unmerge))
                            .getStatus()
                            .getCode(),
                    nonAdmin + " may not unmerge in demo");
        }
        assertEquals(
                Status.Code.NOT_FOUND,
                refused(() -> profiles("alice").unmerge(unmerge)).getStatus().getCode(),
                "no such merge");
        StatusRuntimeException bad = refused(() -> profiles("alice")
                .unmerge(unmerge.toBuilder().setMergedProfileId("x").build()));
        assertEquals("merged_profile_id", Errors.violations(bad).get(0).field());

        // a resend of every profile: admins of the tenant (and the feed's consumers, as services)
        var resend = io.strata.proto.profile.v1.ResendProfilesRequest.newBuilder()
                .setTenant("demo")
                .build();
        for (String nonAdmin : List.of("vic", "mia", "bob")) {
            assertEquals(
                    Status.Code.PERMISSION_DENIED,
                    refused(() -> profiles(nonAdmin).resendProfiles(resend))
                            .getStatus()
                            .getCode(),
                    nonAdmin + " may not resend demo's profiles");
        }
        var job = profiles("alice").resendProfiles(resend).await().atMost(WAIT).getJob();
        assertEquals("alice", job.getRequestedBy());
        var read = profiles("alice")
                .getResendJob(io.strata.proto.profile.v1.GetResendJobRequest.newBuilder()
                        .setTenant("demo")
                        .setId(job.getId())
                        .build())
                .await()
                .atMost(WAIT)
                .getJob();
        assertEquals(job.getId(), read.getId());
        assertEquals(
                Status.Code.NOT_FOUND,
                refused(() -> tags("alice")
                                .getTagJob(io.strata.proto.profile.v1.GetTagJobRequest.newBuilder()
                                        .setTenant("demo")
                                        .setId(job.getId())
                                        .build()))
                        .getStatus()
                        .getCode(),
                "a resend is not a tag job");
    }
}
