package io.strata.campaign.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.campaign.activation.ActivationService;
import io.strata.campaign.mapping.CampaignMapper;
import io.strata.campaign.service.BroadcastService;
import io.strata.campaign.service.JourneyService;
import io.strata.campaign.service.MessageService;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Caller;
import io.strata.platform.security.Roles;
import io.strata.proto.campaign.v1.BroadcastRun;
import io.strata.proto.campaign.v1.CampaignService;
import io.strata.proto.campaign.v1.CreateBroadcastRequest;
import io.strata.proto.campaign.v1.CreateBroadcastResponse;
import io.strata.proto.campaign.v1.DeleteDestinationRequest;
import io.strata.proto.campaign.v1.DeleteDestinationResponse;
import io.strata.proto.campaign.v1.Destination;
import io.strata.proto.campaign.v1.DestinationQueue;
import io.strata.proto.campaign.v1.GetExperimentResultsRequest;
import io.strata.proto.campaign.v1.GetExperimentResultsResponse;
import io.strata.proto.campaign.v1.GetJourneyClockRequest;
import io.strata.proto.campaign.v1.GetJourneyClockResponse;
import io.strata.proto.campaign.v1.GetJourneyRequest;
import io.strata.proto.campaign.v1.GetJourneyResponse;
import io.strata.proto.campaign.v1.GetJourneyStatsRequest;
import io.strata.proto.campaign.v1.GetJourneyStatsResponse;
import io.strata.proto.campaign.v1.GetProfileJourneysRequest;
import io.strata.proto.campaign.v1.GetProfileJourneysResponse;
import io.strata.proto.campaign.v1.GetSendPolicyRequest;
import io.strata.proto.campaign.v1.GetSendPolicyResponse;
import io.strata.proto.campaign.v1.JourneyClock;
import io.strata.proto.campaign.v1.ListBroadcastsRequest;
import io.strata.proto.campaign.v1.ListBroadcastsResponse;
import io.strata.proto.campaign.v1.ListDestinationsRequest;
import io.strata.proto.campaign.v1.ListDestinationsResponse;
import io.strata.proto.campaign.v1.ListJourneyInstancesRequest;
import io.strata.proto.campaign.v1.ListJourneyInstancesResponse;
import io.strata.proto.campaign.v1.ListJourneysRequest;
import io.strata.proto.campaign.v1.ListJourneysResponse;
import io.strata.proto.campaign.v1.ListTemplatesRequest;
import io.strata.proto.campaign.v1.ListTemplatesResponse;
import io.strata.proto.campaign.v1.PreviewBroadcastRequest;
import io.strata.proto.campaign.v1.PreviewBroadcastResponse;
import io.strata.proto.campaign.v1.PublishJourneyRequest;
import io.strata.proto.campaign.v1.PublishJourneyResponse;
import io.strata.proto.campaign.v1.RecordDeliveryReceiptsRequest;
import io.strata.proto.campaign.v1.RecordDeliveryReceiptsResponse;
import io.strata.proto.campaign.v1.RecordRepliesRequest;
import io.strata.proto.campaign.v1.RecordRepliesResponse;
import io.strata.proto.campaign.v1.RefusedRow;
import io.strata.proto.campaign.v1.ReplayDestinationRequest;
import io.strata.proto.campaign.v1.ReplayDestinationResponse;
import io.strata.proto.campaign.v1.SaveJourneyRequest;
import io.strata.proto.campaign.v1.SaveJourneyResponse;
import io.strata.proto.campaign.v1.SetDestinationRequest;
import io.strata.proto.campaign.v1.SetDestinationResponse;
import io.strata.proto.campaign.v1.SetJourneyClockRequest;
import io.strata.proto.campaign.v1.SetJourneyClockResponse;
import io.strata.proto.campaign.v1.SetJourneyStatusRequest;
import io.strata.proto.campaign.v1.SetJourneyStatusResponse;
import io.strata.proto.campaign.v1.SetSendPolicyRequest;
import io.strata.proto.campaign.v1.SetSendPolicyResponse;
import io.strata.proto.campaign.v1.SetSenderRequest;
import io.strata.proto.campaign.v1.SetSenderResponse;
import io.strata.proto.campaign.v1.SetTemplateRequest;
import io.strata.proto.campaign.v1.SetTemplateResponse;
import io.strata.proto.campaign.v1.ValidateJourneyRequest;
import io.strata.proto.campaign.v1.ValidateJourneyResponse;
import jakarta.annotation.security.RolesAllowed;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Journeys over gRPC (docs/journeys.md), for users of a tenant through the gateway: marketers and
 * admins change journeys, templates, senders and the send policy; every role reads. Each call checks
 * its fields (INVALID_ARGUMENT naming them) before anything is written.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class CampaignGrpcService implements CampaignService {

    private static final int MAX_DEFINITION = 256 * 1024;
    private static final Set<String> STATUSES = Set.of("ACTIVE", "COMPLETED", "EXITED");

    private final JourneyService journeys;
    private final MessageService messages;
    private final BroadcastService broadcasts;
    private final ActivationService destinations;
    private final Access access;
    private final CurrentIdentityAssociation identity;

    public CampaignGrpcService(
            JourneyService journeys,
            MessageService messages,
            BroadcastService broadcasts,
            ActivationService destinations,
            Access access,
            CurrentIdentityAssociation identity) {
        this.journeys = journeys;
        this.messages = messages;
        this.broadcasts = broadcasts;
        this.destinations = destinations;
        this.access = access;
        this.identity = identity;
    }

    @Override
    public Uni<SaveJourneyResponse> saveJourney(SaveJourneyRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            definition(request.getDefinition());
            return journeys.save(caller.tenant(), request.getDefinition(), caller.user())
                    .map(row -> SaveJourneyResponse.newBuilder()
                            .setJourney(CampaignMapper.journey(row, List.of(), false))
                            .build());
        });
    }

    @Override
    public Uni<ValidateJourneyResponse> validateJourney(ValidateJourneyRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            definition(request.getDefinition());
            return journeys.validate(caller.tenant(), request.getDefinition())
                    .map(violations -> ValidateJourneyResponse.newBuilder()
                            .setValid(violations.isEmpty())
                            .addAllViolations(violations.stream()
                                    .map(CampaignMapper::violation)
                                    .toList())
                            .build());
        });
    }

    @Override
    public Uni<PublishJourneyResponse> publishJourney(PublishJourneyRequest request) {
        return user(
                request.getTenant(),
                Roles.MARKETER,
                caller -> journeys.publish(caller.tenant(), key(request.getKey()), caller.user())
                        .map(done -> PublishJourneyResponse.newBuilder()
                                .setJourney(CampaignMapper.journey(done.getKey(), List.of(), false))
                                .setVersion(done.getValue())
                                .build()));
    }

    @Override
    public Uni<SetJourneyStatusResponse> setJourneyStatus(SetJourneyStatusRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            String status = CampaignMapper.status(request.getStatus());
            if (status == null) {
                throw Errors.invalid("status", "PAUSED, PUBLISHED (resume) or ARCHIVED");
            }
            return journeys.setStatus(caller.tenant(), key(request.getKey()), status, caller.user())
                    .map(done -> SetJourneyStatusResponse.newBuilder()
                            .setJourney(CampaignMapper.journey(done.getKey(), List.of(), false))
                            .setInstancesEnded(done.getValue())
                            .build());
        });
    }

    @Override
    public Uni<GetJourneyResponse> getJourney(GetJourneyRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> journeys.get(caller.tenant(), key(request.getKey()))
                        .map(d -> GetJourneyResponse.newBuilder()
                                .setJourney(CampaignMapper.journey(d.journey(), d.versions(), true))
                                .build()));
    }

    @Override
    public Uni<ListJourneysResponse> listJourneys(ListJourneysRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> journeys.list(caller.tenant())
                        .map(rows -> ListJourneysResponse.newBuilder()
                                .addAllJourneys(rows.stream()
                                        .map(r -> CampaignMapper.journey(r, List.of(), false))
                                        .toList())
                                .build()));
    }

    @Override
    public Uni<GetJourneyStatsResponse> getJourneyStats(GetJourneyStatsRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            if (request.getVersion() < 0) {
                throw Errors.invalid("version", "a version, or 0 for every version");
            }
            return journeys.stats(caller.tenant(), key(request.getKey()), request.getVersion())
                    .map(stats -> GetJourneyStatsResponse.newBuilder()
                            .setKey(request.getKey())
                            .addAllVersions(CampaignMapper.stats(stats))
                            .build());
        });
    }

    @Override
    public Uni<ListJourneyInstancesResponse> listJourneyInstances(ListJourneyInstancesRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            int size = request.getPageSize() == 0 ? 100 : request.getPageSize();
            if (size < 1 || size > 1000) {
                throw Errors.invalid("page_size", "1 to 1,000 (default 100)");
            }
            for (String s : request.getStatusesList()) {
                if (!STATUSES.contains(s)) {
                    throw Errors.invalid("statuses", "ACTIVE, COMPLETED or EXITED, not " + s);
                }
            }
            Optional<Instant> afterEntered = Optional.empty();
            Optional<String> afterId = Optional.empty();
            if (!request.getPageToken().isEmpty()) {
                try {
                    String[] parts = new String(
                                    Base64.getUrlDecoder().decode(request.getPageToken()), StandardCharsets.UTF_8)
                            .split("/", 2);
                    afterEntered = Optional.of(Instant.parse(parts[0]));
                    afterId = Optional.of(java.util.UUID.fromString(parts[1]).toString());
                } catch (RuntimeException e) {
                    throw Errors.invalid("page_token", "not a token this service gave");
                }
            }
            return journeys.instances(
                            caller.tenant(),
                            key(request.getKey()),
                            request.getNode(),
                            request.getStatusesList(),
                            afterEntered,
                            afterId,
                            size + 1)
                    .map(rows -> {
                        var b = ListJourneyInstancesResponse.newBuilder();
                        rows.stream().limit(size).forEach(r -> b.addInstances(CampaignMapper.instance(r)));
                        if (rows.size() > size) {
                            var last = rows.get(size - 1);
                            b.setNextPageToken(Base64.getUrlEncoder()
                                    .encodeToString(
                                            (last.enteredAt() + "/" + last.id()).getBytes(StandardCharsets.UTF_8)));
                        }
                        return b.build();
                    });
        });
    }

    @Override
    public Uni<GetProfileJourneysResponse> getProfileJourneys(GetProfileJourneysRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            if (request.getProfileId().isBlank()) {
                throw Errors.invalid("profile_id", "profile_id is required");
            }
            return journeys.profile(caller.tenant(), request.getProfileId())
                    .map(p -> GetProfileJourneysResponse.newBuilder()
                            .addAllInstances(p.instances().stream()
                                    .map(CampaignMapper::instance)
                                    .toList())
                            .addAllSteps(
                                    p.steps().stream().map(CampaignMapper::step).toList())
                            .build());
        });
    }

    @Override
    public Uni<GetExperimentResultsResponse> getExperimentResults(GetExperimentResultsRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            double alpha = request.getAlpha() == 0 ? 0.05 : request.getAlpha();
            if (!(alpha > 0 && alpha < 0.5)) { // NaN too
                throw Errors.invalid("alpha", "a significance level above 0 and below 0.5 (default 0.05)");
            }
            if (request.getVersion() < 0) {
                throw Errors.invalid("version", "a version, or 0 for the live one");
            }
            return journeys.experiments(caller.tenant(), key(request.getKey()), request.getVersion(), alpha)
                    .map(done -> GetExperimentResultsResponse.newBuilder()
                            .setKey(request.getKey())
                            .setVersion(done.getKey())
                            .addAllSplits(done.getValue().stream()
                                    .map(CampaignMapper::split)
                                    .toList())
                            .build());
        });
    }

    @Override
    public Uni<SetTemplateResponse> setTemplate(SetTemplateRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            var t = request.getTemplate();
            return journeys.setTemplate(caller.tenant(), t.getChannel(), t.getTemplate(), t.getBody(), t.getApproved())
                    .map(row -> SetTemplateResponse.newBuilder()
                            .setTemplate(CampaignMapper.template(row))
                            .build());
        });
    }

    @Override
    public Uni<ListTemplatesResponse> listTemplates(ListTemplatesRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> journeys.templates(caller.tenant())
                        .map(t -> ListTemplatesResponse.newBuilder()
                                .addAllTemplates(t.templates().stream()
                                        .map(CampaignMapper::template)
                                        .toList())
                                .putAllSenders(CampaignMapper.senders(t.senders()))
                                .build()));
    }

    @Override
    public Uni<SetSenderResponse> setSender(SetSenderRequest request) {
        return user(
                request.getTenant(),
                Roles.MARKETER,
                caller -> journeys.setSender(
                                caller.tenant(), request.getChannel(), request.getSender(), request.getApproved())
                        .map(v -> SetSenderResponse.getDefaultInstance()));
    }

    @Override
    public Uni<SetSendPolicyResponse> setSendPolicy(SetSendPolicyRequest request) {
        return user(
                request.getTenant(),
                Roles.MARKETER,
                caller -> journeys.setPolicy(caller.tenant(), request.getPolicy())
                        .map(p ->
                                SetSendPolicyResponse.newBuilder().setPolicy(p).build()));
    }

    @Override
    public Uni<GetSendPolicyResponse> getSendPolicy(GetSendPolicyRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> journeys.policy(caller.tenant())
                        .map(p -> GetSendPolicyResponse.newBuilder()
                                .setPolicy(p.getKey())
                                .setDefaults(p.getValue())
                                .build()));
    }

    @Override
    public Uni<SetJourneyClockResponse> setJourneyClock(SetJourneyClockRequest request) {
        return user(
                request.getTenant(),
                Roles.ADMIN,
                caller -> journeys.setClock(
                                caller.tenant(),
                                request.hasHeldAt() ? CampaignMapper.instant(request.getHeldAt()) : null)
                        .map(c -> SetJourneyClockResponse.newBuilder()
                                .setClock(clock(c))
                                .build()));
    }

    @Override
    public Uni<GetJourneyClockResponse> getJourneyClock(GetJourneyClockRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> journeys.clock(caller.tenant())
                        .map(c -> GetJourneyClockResponse.newBuilder()
                                .setClock(clock(c))
                                .build()));
    }

    @Override
    public Uni<RecordDeliveryReceiptsResponse> recordDeliveryReceipts(RecordDeliveryReceiptsRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            rows("receipts", request.getReceiptsCount());
            var receipts = request.getReceiptsList().stream()
                    .map(r -> new MessageService.Receipt(
                            r.getSendKey().strip(),
                            r.getProviderId().strip(),
                            r.getStatus(),
                            r.getDetail(),
                            r.hasAt() ? CampaignMapper.instant(r.getAt()) : null))
                    .toList();
            return messages.receipts(caller.tenant(), receipts)
                    .map(result -> RecordDeliveryReceiptsResponse.newBuilder()
                            .setApplied(result.applied())
                            .addAllRefused(refused(result.refused()))
                            .build());
        });
    }

    @Override
    public Uni<RecordRepliesResponse> recordReplies(RecordRepliesRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            rows("replies", request.getRepliesCount());
            var replies = request.getRepliesList().stream()
                    .map(r -> new MessageService.Reply(
                            r.getChannel(),
                            r.getFrom().strip(),
                            r.getSender().strip(),
                            r.getText(),
                            r.hasAt() ? CampaignMapper.instant(r.getAt()) : null,
                            r.getMessageId().strip()))
                    .toList();
            return messages.replies(caller.tenant(), replies)
                    .map(result -> RecordRepliesResponse.newBuilder()
                            .setApplied(result.applied())
                            .setOptedOut(result.optedOut())
                            .setUnknownAddress(result.unknown())
                            .addAllRefused(refused(result.refused()))
                            .build());
        });
    }

    @Override
    public Uni<CreateBroadcastResponse> createBroadcast(CreateBroadcastRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            var arms = request.getArmsList().stream()
                    .map(a -> new BroadcastService.Arm(a.getName(), a.getWeight(), a.getControl()))
                    .toList();
            Optional<BroadcastService.Goal> goal = Optional.empty();
            if (!request.getGoalEvent().isBlank()) {
                java.time.Duration within;
                try {
                    within = java.time.Duration.parse(request.getGoalWithin());
                } catch (java.time.format.DateTimeParseException e) {
                    throw Errors.invalid("goal_within", "an ISO-8601 duration such as P7D");
                }
                goal = Optional.of(new BroadcastService.Goal(request.getGoalEvent(), within));
            }
            var spec = new BroadcastService.Spec(
                    key(request.getKey()),
                    request.getName().isBlank() ? request.getKey() : request.getName(),
                    request.getAudience(),
                    request.getChannel(),
                    request.getTemplate(),
                    request.getSender(),
                    !request.getTransactional(),
                    request.hasAt() ? Optional.of(CampaignMapper.instant(request.getAt())) : Optional.empty(),
                    arms,
                    goal);
            return broadcasts
                    .create(caller.tenant(), spec, caller.user())
                    .map(done -> CreateBroadcastResponse.newBuilder()
                            .setJourney(CampaignMapper.journey(done.getKey(), List.of(), false))
                            .setVersion(done.getValue())
                            .build());
        });
    }

    @Override
    public Uni<ListBroadcastsResponse> listBroadcasts(ListBroadcastsRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> broadcasts.list(caller.tenant()).map(runs -> {
                    var out = ListBroadcastsResponse.newBuilder();
                    for (var r : runs) {
                        var run = BroadcastRun.newBuilder()
                                .setJourneyKey(r.journeyKey())
                                .setVersion(r.version())
                                .setAudience(r.audience())
                                .setScheduledAt(CampaignMapper.ts(r.scheduledAt()))
                                .setStatus(r.status())
                                .setMembers(r.members())
                                .setStarted(r.started());
                        r.startedAt().ifPresent(t -> run.setStartedAt(CampaignMapper.ts(t)));
                        r.finishedAt().ifPresent(t -> run.setFinishedAt(CampaignMapper.ts(t)));
                        out.addRuns(run);
                    }
                    return out.build();
                }));
    }

    @Override
    public Uni<PreviewBroadcastResponse> previewBroadcast(PreviewBroadcastRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> broadcasts
                        .preview(
                                caller.tenant(),
                                request.getAudience(),
                                request.getChannel(),
                                request.getTemplate(),
                                request.getSender(),
                                !request.getTransactional())
                        .map(p -> PreviewBroadcastResponse.newBuilder()
                                .setMembers(p.members())
                                .setReachable(p.reachable())
                                .setDeferred(p.deferred())
                                .setNoAddress(p.noAddress())
                                .putAllSuppressed(p.suppressed())
                                .addAllSample(p.sample())
                                .setTruncated(p.truncated())
                                .build()));
    }

    @Override
    public Uni<SetDestinationResponse> setDestination(SetDestinationRequest request) {
        return user(request.getTenant(), Roles.ADMIN, caller -> {
            var d = request.getDestination();
            return destinations
                    .set(
                            caller.tenant(),
                            new ActivationService.Change(
                                    d.getId(),
                                    d.getName(),
                                    d.getUrl(),
                                    d.getFormat(),
                                    d.getAudiencesList(),
                                    d.getEnabled(),
                                    request.getRotateSecret()),
                            caller.user())
                    .map(saved -> SetDestinationResponse.newBuilder()
                            .setDestination(destination(saved))
                            .build());
        });
    }

    @Override
    public Uni<ListDestinationsResponse> listDestinations(ListDestinationsRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> destinations.list(caller.tenant()).map(all -> {
                    // a URL may carry credentials (user info, a token in the query): admins only see them
                    boolean admin = caller.roles().contains(Roles.ADMIN);
                    return ListDestinationsResponse.newBuilder()
                            .addAllDestinations(all.stream()
                                    .map(CampaignGrpcService::destination)
                                    .map(d -> admin
                                            ? d
                                            : d.toBuilder()
                                                    .setUrl(bare(d.getUrl()))
                                                    .build())
                                    .toList())
                            .build();
                }));
    }

    @Override
    public Uni<DeleteDestinationResponse> deleteDestination(DeleteDestinationRequest request) {
        return user(
                request.getTenant(),
                Roles.ADMIN,
                caller -> destinations.delete(caller.tenant(), request.getId()).map(deleted -> {
                    if (!deleted) {
                        throw Errors.notFound("no destination " + request.getId());
                    }
                    return DeleteDestinationResponse.getDefaultInstance();
                }));
    }

    @Override
    public Uni<ReplayDestinationResponse> replayDestination(ReplayDestinationRequest request) {
        return user(request.getTenant(), Roles.ADMIN, caller -> {
            if (!request.hasFrom()) {
                throw Errors.invalid("from", "from (the time to replay from) is required");
            }
            return destinations
                    .replay(caller.tenant(), request.getId(), CampaignMapper.instant(request.getFrom()))
                    .map(n ->
                            ReplayDestinationResponse.newBuilder().setQueued(n).build());
        });
    }

    /** A URL without its user info and query: scheme, host, port and path. */
    static String bare(String url) {
        try {
            var u = new java.net.URI(url);
            return new java.net.URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
        } catch (java.net.URISyntaxException e) {
            return "";
        }
    }

    private static Destination destination(ActivationService.Destination d) {
        var queue = DestinationQueue.newBuilder()
                .setQueued(d.queue().queued())
                .setDelivered(d.queue().delivered())
                .setFailed(d.queue().failed())
                .setLastError(d.queue().lastError().orElse(""));
        d.queue().oldestQueued().ifPresent(t -> queue.setOldestQueued(CampaignMapper.ts(t)));
        return Destination.newBuilder()
                .setId(d.id())
                .setName(d.name())
                .setUrl(d.url())
                .setFormat(d.format())
                .addAllAudiences(d.audiences())
                .setEnabled(d.enabled())
                .setSecret(d.secret().orElse(""))
                .setQueue(queue)
                .build();
    }

    private static void rows(String field, int count) {
        if (count == 0 || count > MessageService.MAX_ROWS) {
            throw Errors.invalid(field, field + " holds 1 to " + MessageService.MAX_ROWS + " rows");
        }
    }

    private static List<RefusedRow> refused(List<MessageService.Refusal> refused) {
        return refused.stream()
                .map(r -> RefusedRow.newBuilder()
                        .setRow(r.row())
                        .setField(r.field())
                        .setReason(r.reason())
                        .build())
                .toList();
    }

    private static JourneyClock clock(JourneyService.ClockState c) {
        var out = JourneyClock.newBuilder()
                .setNow(CampaignMapper.ts(c.now()))
                .setDue(c.due())
                .setQueued(c.queued());
        c.heldAt().ifPresent(h -> out.setHeldAt(CampaignMapper.ts(h)));
        return out.build();
    }

    private static void definition(String definition) {
        if (definition.isBlank()) {
            throw Errors.invalid("definition", "the journey as JSON (docs/journeys.md)");
        }
        if (definition.length() > MAX_DEFINITION) {
            throw Errors.invalid("definition", "at most " + MAX_DEFINITION / 1024 + " KiB");
        }
    }

    private static String key(String key) {
        if (key == null || !key.matches("[A-Za-z0-9_-]{1,64}")) {
            throw Errors.invalid("key", "a journey key: 1 to 64 letters, digits, '-' or '_'");
        }
        return key;
    }

    private <T> Uni<T> user(String tenant, String role, Function<Caller, Uni<T>> call) {
        return access.call(identity.getDeferredIdentity())
                .forUser(tenant, role)
                .chain(c -> c.within(Uni.createFrom().deferred(() -> call.apply(c))));
    }
}
