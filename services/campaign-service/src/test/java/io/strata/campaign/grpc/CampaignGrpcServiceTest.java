package io.strata.campaign.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcClientUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.campaign.mapping.CampaignMapper;
import io.strata.campaign.service.JourneyRuntime;
import io.strata.campaign.service.Signal;
import io.strata.platform.errors.Errors;
import io.strata.proto.campaign.v1.CampaignService;
import io.strata.proto.campaign.v1.GetExperimentResultsRequest;
import io.strata.proto.campaign.v1.GetJourneyClockRequest;
import io.strata.proto.campaign.v1.GetJourneyRequest;
import io.strata.proto.campaign.v1.GetJourneyStatsRequest;
import io.strata.proto.campaign.v1.GetProfileJourneysRequest;
import io.strata.proto.campaign.v1.JourneyStatus;
import io.strata.proto.campaign.v1.ListJourneyInstancesRequest;
import io.strata.proto.campaign.v1.ListJourneysRequest;
import io.strata.proto.campaign.v1.PublishJourneyRequest;
import io.strata.proto.campaign.v1.SaveJourneyRequest;
import io.strata.proto.campaign.v1.SetJourneyClockRequest;
import io.strata.proto.campaign.v1.SetJourneyStatusRequest;
import io.strata.proto.campaign.v1.SetSendPolicyRequest;
import io.strata.proto.campaign.v1.SetSenderRequest;
import io.strata.proto.campaign.v1.SetTemplateRequest;
import io.strata.proto.campaign.v1.Template;
import io.strata.proto.campaign.v1.ValidateJourneyRequest;
import io.strata.testing.KeycloakTokens;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * CampaignService for the demo tenant's users, on journeys of the run's own keys: what marketers
 * may change and viewers may not, what is refused (naming the node and field), the life of a
 * journey and what it reports.
 */
@QuarkusTest
class CampaignGrpcServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @GrpcClient("campaign")
    CampaignService client;

    @Inject
    JourneyRuntime runtime;

    private CampaignService as(String user) {
        return GrpcClientUtils.attachHeaders(
                client, KeycloakTokens.forUser(KeycloakTokens.serviceToken(), KeycloakTokens.accessToken(user)));
    }

    private static String journey(String key, String audience, String template) {
        return """
                {"key": "%s", "name": "Welcome %s",
                 "nodes": [
                  {"id": "start", "type": "trigger", "on": {"audienceEnter": "%s"}, "next": "split"},
                  {"id": "split", "type": "split", "salt": "%s", "arms": [
                    {"name": "sms", "weight": 1, "next": "hello"},
                    {"name": "control", "weight": 1, "control": true, "next": "bought"}]},
                  {"id": "hello", "type": "send", "channel": "sms", "template": "%s", "sender": "【Demo】",
                   "next": "bought"},
                  {"id": "bought", "type": "goal", "event": "Order Completed", "within": "P7D", "next": "done"},
                  {"id": "done", "type": "exit"}
                ]}""".formatted(key, key, audience, key, template);
    }

    @Test
    void marketersBuildPublishAndRetireJourneysThatReportWhatTheyDid() {
        String key = "j-" + UUID.randomUUID().toString().substring(0, 8);
        String template = "hello_" + key.substring(2);
        var mia = as("mia");
        mia.setTemplate(SetTemplateRequest.newBuilder()
                        .setTenant("demo")
                        .setTemplate(Template.newBuilder()
                                .setChannel("sms")
                                .setTemplate(template)
                                .setBody("Welcome! 回T退订")
                                .setApproved(true))
                        .build())
                .await()
                .atMost(WAIT);
        mia.setSender(SetSenderRequest.newBuilder()
                        .setTenant("demo")
                        .setChannel("sms")
                        .setSender("【Demo】")
                        .setApproved(true)
                        .build())
                .await()
                .atMost(WAIT);

        // an unknown audience and an archived one are named by node and field
        var unknown = assertThrows(
                StatusRuntimeException.class,
                () -> mia.saveJourney(SaveJourneyRequest.newBuilder()
                                .setTenant("demo")
                                .setDefinition(journey(key, "nobody", template))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.INVALID_ARGUMENT, unknown.getStatus().getCode());
        assertEquals(
                "definition.nodes.start.on", Errors.violations(unknown).get(0).field());
        var validated = mia.validateJourney(ValidateJourneyRequest.newBuilder()
                        .setTenant("demo")
                        .setDefinition(journey(key, "old-vip", "missing"))
                        .build())
                .await()
                .atMost(WAIT);
        assertFalse(validated.getValid());
        assertEquals(2, validated.getViolationsCount(), validated::toString);
        // a date trigger is valid; a broadcast at a time without its offset is refused naming it
        var dated = mia.validateJourney(ValidateJourneyRequest.newBuilder()
                        .setTenant("demo")
                        .setDefinition(journey(key, "aud-x", template)
                                .replace(
                                        "{\"audienceEnter\": \"aud-x\"}",
                                        "{\"date\": \"birthday\", \"at\": \"09:00\", \"yearly\": true}"))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(0, dated.getViolationsCount(), dated::toString);
        var broadcast = mia.validateJourney(ValidateJourneyRequest.newBuilder()
                        .setTenant("demo")
                        .setDefinition(journey(key, "aud-x", template)
                                .replace(
                                        "{\"audienceEnter\": \"aud-x\"}",
                                        "{\"broadcast\": \"aud-x\", \"at\": \"2026-12-24 10:00\"}"))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(1, broadcast.getViolationsCount(), broadcast::toString);
        assertEquals("start", broadcast.getViolations(0).getNode());
        assertEquals("on.at", broadcast.getViolations(0).getField());

        // a viewer reads but may not change
        var denied = assertThrows(
                StatusRuntimeException.class,
                () -> as("vic")
                        .saveJourney(SaveJourneyRequest.newBuilder()
                                .setTenant("demo")
                                .setDefinition(journey(key, "aud-" + key, template))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());

        String audience = "aud-" + key;
        var saved = mia.saveJourney(SaveJourneyRequest.newBuilder()
                        .setTenant("demo")
                        .setDefinition(journey(key, audience, template))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(JourneyStatus.JOURNEY_STATUS_DRAFT, saved.getJourney().getStatus());
        assertEquals(journey(key, audience, template), saved.getJourney().getDraft(), "kept as written");
        var published = mia.publishJourney(PublishJourneyRequest.newBuilder()
                        .setTenant("demo")
                        .setKey(key)
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(1, published.getVersion());

        // 200 profiles enter; about half get the SMS, the rest are the control
        var signals = new ArrayList<Signal>();
        Instant now = Instant.now();
        for (int i = 0; i < 200; i++) {
            signals.add(new Signal.Audience(key + "-p" + i, audience, true, now, "enter-1"));
        }
        runtime.handle("demo", signals);
        var stats = as("vic")
                .getJourneyStats(GetJourneyStatsRequest.newBuilder()
                        .setTenant("demo")
                        .setKey(key)
                        .build())
                .await()
                .atMost(WAIT);
        var v1 = stats.getVersions(0);
        assertEquals(200, v1.getInstancesActive());
        var split = v1.getNodesList().stream()
                .filter(n -> n.getNode().equals("split"))
                .findFirst()
                .orElseThrow();
        assertEquals(200, split.getEntered());
        assertEquals(200, split.getExitedProfiles());
        var bought = v1.getNodesList().stream()
                .filter(n -> n.getNode().equals("bought"))
                .findFirst()
                .orElseThrow();
        assertEquals(200, bought.getWaiting());
        // no consent was ever given: every SMS is suppressed, by reason
        long sms = v1.getSuppressionsOrDefault("no_consent", 0);
        assertTrue(sms > 60 && sms < 140, "about half the arms: " + sms);

        var instances = as("ana")
                .listJourneyInstances(ListJourneyInstancesRequest.newBuilder()
                        .setTenant("demo")
                        .setKey(key)
                        .setNode("bought")
                        .setPageSize(150)
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(150, instances.getInstancesCount());
        var rest = as("ana")
                .listJourneyInstances(ListJourneyInstancesRequest.newBuilder()
                        .setTenant("demo")
                        .setKey(key)
                        .setNode("bought")
                        .setPageSize(150)
                        .setPageToken(instances.getNextPageToken())
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(50, rest.getInstancesCount());
        assertEquals("", rest.getNextPageToken());

        var history = as("ana")
                .getProfileJourneys(GetProfileJourneysRequest.newBuilder()
                        .setTenant("demo")
                        .setProfileId(key + "-p0")
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(1, history.getInstancesCount());
        assertTrue(history.getStepsList().stream().anyMatch(s -> s.getKind().equals("assigned")));

        var experiment = as("ana")
                .getExperimentResults(GetExperimentResultsRequest.newBuilder()
                        .setTenant("demo")
                        .setKey(key)
                        .build())
                .await()
                .atMost(WAIT);
        var arms = experiment.getSplits(0);
        assertEquals("control", arms.getBaseline());
        assertEquals("bought", arms.getGoal());
        assertEquals(200, arms.getArms(0).getExposures() + arms.getArms(1).getExposures());
        assertEquals("INSUFFICIENT_DATA", arms.getArms(0).getVerdict(), "no conversions yet");

        // a new version: running instances stay on theirs
        mia.saveJourney(SaveJourneyRequest.newBuilder()
                        .setTenant("demo")
                        .setDefinition(journey(key, audience, template).replace("P7D", "P14D"))
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(
                2,
                mia.publishJourney(PublishJourneyRequest.newBuilder()
                                .setTenant("demo")
                                .setKey(key)
                                .build())
                        .await()
                        .atMost(WAIT)
                        .getVersion());
        var both = as("vic")
                .getJourney(GetJourneyRequest.newBuilder()
                        .setTenant("demo")
                        .setKey(key)
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(2, both.getJourney().getVersionsCount());
        assertTrue(both.getJourney().getVersions(1).getDefinition().contains("P14D"));
        assertTrue(as("vic")
                .listJourneys(ListJourneysRequest.newBuilder().setTenant("demo").build())
                .await()
                .atMost(WAIT)
                .getJourneysList()
                .stream()
                .anyMatch(j -> j.getKey().equals(key) && j.getLiveVersion() == 2));

        // pause, resume, archive: archiving ends the 200 running instances
        var paused = mia.setJourneyStatus(SetJourneyStatusRequest.newBuilder()
                        .setTenant("demo")
                        .setKey(key)
                        .setStatus(JourneyStatus.JOURNEY_STATUS_PAUSED)
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(JourneyStatus.JOURNEY_STATUS_PAUSED, paused.getJourney().getStatus());
        var resumed = mia.setJourneyStatus(SetJourneyStatusRequest.newBuilder()
                        .setTenant("demo")
                        .setKey(key)
                        .setStatus(JourneyStatus.JOURNEY_STATUS_PUBLISHED)
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(
                JourneyStatus.JOURNEY_STATUS_PUBLISHED, resumed.getJourney().getStatus());
        var archived = mia.setJourneyStatus(SetJourneyStatusRequest.newBuilder()
                        .setTenant("demo")
                        .setKey(key)
                        .setStatus(JourneyStatus.JOURNEY_STATUS_ARCHIVED)
                        .build())
                .await()
                .atMost(WAIT);
        assertEquals(200, archived.getInstancesEnded());
        await().atMost(WAIT)
                .until(() -> as("vic")
                                .getJourneyStats(GetJourneyStatsRequest.newBuilder()
                                        .setTenant("demo")
                                        .setKey(key)
                                        .setVersion(1)
                                        .build())
                                .await()
                                .atMost(WAIT)
                                .getVersions(0)
                                .getInstancesExited()
                        == 200);
    }

    @Test
    void onlyAnAdminHoldsTheJourneyClockAndNeverAhead() {
        var ahead = assertThrows(
                StatusRuntimeException.class,
                () -> as("alice")
                        .setJourneyClock(SetJourneyClockRequest.newBuilder()
                                .setTenant("demo")
                                .setHeldAt(CampaignMapper.ts(Instant.now().plus(Duration.ofDays(1))))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.INVALID_ARGUMENT, ahead.getStatus().getCode());
        assertEquals("held_at", Errors.violations(ahead).get(0).field());
        var marketer = assertThrows(
                StatusRuntimeException.class,
                () -> as("mia")
                        .setJourneyClock(SetJourneyClockRequest.newBuilder()
                                .setTenant("demo")
                                .setHeldAt(CampaignMapper.ts(Instant.parse("2026-01-01T00:00:00Z")))
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, marketer.getStatus().getCode());
        var clock = as("vic")
                .getJourneyClock(
                        GetJourneyClockRequest.newBuilder().setTenant("demo").build())
                .await()
                .atMost(WAIT)
                .getClock();
        assertFalse(clock.hasHeldAt(), "the wall clock unless held");
    }

    @Test
    void aSendPolicyIsCheckedBeforeItIsStored() {
        var bad = assertThrows(
                StatusRuntimeException.class,
                () -> as("mia")
                        .setSendPolicy(SetSendPolicyRequest.newBuilder()
                                .setTenant("demo")
                                .setPolicy("{\"caps\": [{\"scope\": \"channel\", \"value\": \"sms\", \"limit\": 0}]}")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertEquals("policy.caps[0].limit", Errors.violations(bad).get(0).field());
        String policy = "{\"quietHours\": {\"sms\": {\"start\": \"22:00\", \"end\": \"09:00\"}}, \"caps\": [{\"scope\":"
                + " \"tag\", \"value\": \"promotion\", \"limit\": 2, \"rolling\": \"P7D\"}]}";
        as("mia")
                .setSendPolicy(SetSendPolicyRequest.newBuilder()
                        .setTenant("demo")
                        .setPolicy(policy)
                        .build())
                .await()
                .atMost(WAIT);
        var read = as("vic")
                .getSendPolicy(io.strata.proto.campaign.v1.GetSendPolicyRequest.newBuilder()
                        .setTenant("demo")
                        .build())
                .await()
                .atMost(WAIT);
        assertFalse(read.getDefaults());
        assertEquals(
                "09:00",
                io.strata.campaign.mapping.PolicyJson.parse(read.getPolicy())
                        .policy()
                        .orElseThrow()
                        .send()
                        .quietHours("sms")
                        .end()
                        .toString());
        var other = assertThrows(
                StatusRuntimeException.class,
                () -> as("bob")
                        .listJourneys(ListJourneysRequest.newBuilder()
                                .setTenant("demo")
                                .build())
                        .await()
                        .atMost(WAIT));
        assertEquals(Status.Code.PERMISSION_DENIED, other.getStatus().getCode(), "bob is acme's");
    }
}
