package io.strata.campaign.mapping;

import com.google.protobuf.Timestamp;
import io.strata.campaign.experiment.ExperimentResult;
import io.strata.campaign.journey.Journey;
import io.strata.campaign.journey.Node;
import io.strata.campaign.journey.Violation;
import io.strata.campaign.repository.CatalogRepository;
import io.strata.campaign.repository.JourneyRepository;
import io.strata.campaign.repository.StatsRepository;
import io.strata.campaign.service.JourneyService;
import io.strata.proto.campaign.v1.ArmResult;
import io.strata.proto.campaign.v1.JourneyInstance;
import io.strata.proto.campaign.v1.JourneyStatus;
import io.strata.proto.campaign.v1.JourneyStep;
import io.strata.proto.campaign.v1.JourneyVersion;
import io.strata.proto.campaign.v1.JourneyViolation;
import io.strata.proto.campaign.v1.NodeStats;
import io.strata.proto.campaign.v1.SplitResult;
import io.strata.proto.campaign.v1.Template;
import io.strata.proto.campaign.v1.VersionStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** campaign-service's answers as the contract spells them. */
public final class CampaignMapper {

    private CampaignMapper() {}

    public static io.strata.proto.campaign.v1.Journey journey(
            JourneyRepository.JourneyRow row, List<JourneyRepository.VersionRow> versions, boolean definitions) {
        var b = io.strata.proto.campaign.v1.Journey.newBuilder()
                .setKey(row.key())
                .setName(row.name())
                .setStatus(status(row.status()))
                .setDraft(row.draft())
                .setLiveVersion(row.liveVersion().orElse(0))
                .setCreatedAt(ts(row.createdAt()))
                .setUpdatedAt(ts(row.updatedAt()))
                .setUpdatedBy(row.updatedBy());
        for (var v : versions) {
            b.addVersions(JourneyVersion.newBuilder()
                    .setVersion(v.version())
                    .setDefinition(definitions ? v.definition() : "")
                    .setPublishedAt(ts(v.publishedAt()))
                    .setPublishedBy(v.by()));
        }
        return b.build();
    }

    public static JourneyStatus status(String status) {
        return switch (status) {
            case "draft" -> JourneyStatus.JOURNEY_STATUS_DRAFT;
            case "published" -> JourneyStatus.JOURNEY_STATUS_PUBLISHED;
            case "paused" -> JourneyStatus.JOURNEY_STATUS_PAUSED;
            case "archived" -> JourneyStatus.JOURNEY_STATUS_ARCHIVED;
            default -> JourneyStatus.JOURNEY_STATUS_UNSPECIFIED;
        };
    }

    /** The stored status a request asks for, or null. */
    public static String status(JourneyStatus status) {
        return switch (status) {
            case JOURNEY_STATUS_PAUSED -> "paused";
            case JOURNEY_STATUS_PUBLISHED -> "published";
            case JOURNEY_STATUS_ARCHIVED -> "archived";
            default -> null;
        };
    }

    public static JourneyViolation violation(Violation v) {
        return JourneyViolation.newBuilder()
                .setNode(v.node() == null ? "" : v.node())
                .setField(v.field())
                .setMessage(v.message())
                .build();
    }

    public static List<VersionStats> stats(JourneyService.Stats stats) {
        var out = new ArrayList<VersionStats>();
        for (var entry : new TreeMap<>(stats.versions()).entrySet()) {
            int version = entry.getKey();
            Journey journey = entry.getValue();
            var b = VersionStats.newBuilder().setVersion(version);
            for (Node node : journey.nodes().values()) {
                var n = NodeStats.newBuilder().setNode(node.id()).setType(type(node));
                for (var c : stats.moves()) {
                    if (c.version() == version && c.a().equals(node.id())) {
                        if (c.b().equals("arrived")) {
                            n.setEntered(c.total()).setEnteredProfiles(c.profiles());
                        } else {
                            n.setExited(c.total()).setExitedProfiles(c.profiles());
                        }
                    }
                }
                for (var c : stats.waiting()) {
                    if (c.version() == version && c.a().equals(node.id())) {
                        n.setWaiting(c.total());
                    }
                }
                b.addNodes(n);
            }
            for (var c : stats.statuses()) {
                if (c.version() == version) {
                    switch (c.a()) {
                        case "ACTIVE" -> b.setInstancesActive(c.total());
                        case "COMPLETED" -> b.setInstancesCompleted(c.total());
                        default -> b.setInstancesExited(c.total());
                    }
                }
            }
            var messages = new TreeMap<String, Long>();
            var suppressions = new TreeMap<String, Long>();
            for (var c : stats.messages()) {
                if (c.version() == version) {
                    messages.merge(c.a(), c.total(), Long::sum);
                    if (!c.b().isEmpty()) {
                        suppressions.merge(c.b(), c.total(), Long::sum);
                    }
                }
            }
            var conversions = new TreeMap<String, Long>();
            for (var c : stats.conversions()) {
                if (c.version() == version) {
                    conversions.merge(c.a(), c.total(), Long::sum);
                }
            }
            out.add(b.putAllMessages(messages)
                    .putAllSuppressions(suppressions)
                    .putAllConversions(conversions)
                    .build());
        }
        return out;
    }

    public static String type(Node node) {
        return switch (node) {
            case Node.Trigger t -> "trigger";
            case Node.Wait w -> "wait";
            case Node.WaitForEvent w -> "waitForEvent";
            case Node.Condition c -> "condition";
            case Node.Split s -> "split";
            case Node.Send s -> "send";
            case Node.UpdateTag u -> "updateTag";
            case Node.Goal g -> "goal";
            case Node.Exit x -> "exit";
        };
    }

    public static JourneyInstance instance(StatsRepository.InstanceRow r) {
        var b = JourneyInstance.newBuilder()
                .setInstanceId(r.id())
                .setJourneyKey(r.journeyKey())
                .setVersion(r.version())
                .setProfileId(r.profileId())
                .setStatus(r.status())
                .setNode(r.node())
                .setEnteredAt(ts(r.enteredAt()))
                .setArrivedAt(ts(r.arrivedAt()))
                .setArm(r.arm().orElse(""))
                .setEndReason(r.endReason().orElse(""));
        r.wakeAt().ifPresent(t -> b.setWakeAt(ts(t)));
        r.endedAt().ifPresent(t -> b.setEndedAt(ts(t)));
        return b.build();
    }

    public static JourneyStep step(StatsRepository.StepRow r) {
        return JourneyStep.newBuilder()
                .setInstanceId(r.instanceId())
                .setJourneyKey(r.journeyKey())
                .setVersion(r.version())
                .setNode(r.node())
                .setFromNode(r.fromNode() == null ? "" : r.fromNode())
                .setKind(r.kind())
                .setArm(r.arm() == null ? "" : r.arm())
                .setDetail(r.detail() == null ? "" : r.detail())
                .setAt(ts(r.at()))
                .build();
    }

    public static SplitResult split(JourneyService.SplitExperiment e) {
        var r = e.result();
        var b = SplitResult.newBuilder()
                .setNode(e.split().id())
                .setGoal(e.goal())
                .setBaseline(r.baseline())
                .setSampleRatioChiSquare(r.sampleRatioChiSquare())
                .setSampleRatioP(r.sampleRatioP())
                .setSampleRatioMismatch(r.sampleRatioMismatch());
        for (int i = 0; i < r.arms().size(); i++) {
            ExperimentResult.Arm a = r.arms().get(i);
            var arm = ArmResult.newBuilder()
                    .setName(a.name())
                    .setControl(a.control())
                    .setWeight(e.split().arms().get(i).weight())
                    .setExposures(a.exposures())
                    .setConversions(a.conversions())
                    .setRate(a.rate())
                    .setVerdict(a.verdict().name());
            a.lift().ifPresent(arm::setLift);
            a.relativeLift().ifPresent(arm::setRelativeLift);
            a.ciLow().ifPresent(arm::setCiLow);
            a.ciHigh().ifPresent(arm::setCiHigh);
            a.z().ifPresent(arm::setZ);
            a.p().ifPresent(arm::setP);
            a.adjustedP().ifPresent(arm::setAdjustedP);
            a.perArmForThisLift().ifPresent(arm::setPerArmForThisLift);
            b.addArms(arm);
        }
        return b.build();
    }

    public static Template template(CatalogRepository.TemplateRow t) {
        return Template.newBuilder()
                .setChannel(t.channel())
                .setTemplate(t.template())
                .setBody(t.body())
                .setApproved(t.approved())
                .setOptOutInstruction(t.optOut())
                .build();
    }

    public static Map<String, io.strata.proto.campaign.v1.SenderList> senders(Map<String, java.util.Set<String>> s) {
        var out = new TreeMap<String, io.strata.proto.campaign.v1.SenderList>();
        s.forEach((channel, list) -> out.put(
                channel,
                io.strata.proto.campaign.v1.SenderList.newBuilder()
                        .addAllSenders(new TreeSet<>(list))
                        .build()));
        return out;
    }

    public static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    public static Timestamp ts(Instant at) {
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }

    public static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
