package io.strata.segmentation.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Caller;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.AiplFlow;
import io.strata.proto.segmentation.v1.ClassCounts;
import io.strata.proto.segmentation.v1.ClvFit;
import io.strata.proto.segmentation.v1.GetAiplFlowsRequest;
import io.strata.proto.segmentation.v1.GetAiplFlowsResponse;
import io.strata.proto.segmentation.v1.GetModelRunRequest;
import io.strata.proto.segmentation.v1.GetModelRunResponse;
import io.strata.proto.segmentation.v1.GetModelSettingsRequest;
import io.strata.proto.segmentation.v1.GetModelSettingsResponse;
import io.strata.proto.segmentation.v1.ListModelRunsRequest;
import io.strata.proto.segmentation.v1.ListModelRunsResponse;
import io.strata.proto.segmentation.v1.ListModelSettingsVersionsRequest;
import io.strata.proto.segmentation.v1.ListModelSettingsVersionsResponse;
import io.strata.proto.segmentation.v1.ModelRun;
import io.strata.proto.segmentation.v1.ModelService;
import io.strata.proto.segmentation.v1.ModelSettings;
import io.strata.proto.segmentation.v1.StartModelRunRequest;
import io.strata.proto.segmentation.v1.StartModelRunResponse;
import io.strata.proto.segmentation.v1.UpdateModelSettingsRequest;
import io.strata.proto.segmentation.v1.UpdateModelSettingsResponse;
import io.strata.segmentation.config.SegmentationConfig;
import io.strata.segmentation.models.Aipl;
import io.strata.segmentation.models.InvalidSettingsException;
import io.strata.segmentation.repository.ModelRunRepository;
import io.strata.segmentation.repository.ModelSettingsRepository;
import io.strata.segmentation.rules.Violation;
import io.strata.segmentation.service.ModelRuns;
import jakarta.annotation.security.RolesAllowed;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Model settings over gRPC (docs/models.md): users (through the gateway) read them as viewers and
 * change them as marketers; every version is kept, with every setting written out.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class ModelGrpcService implements ModelService {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelSettingsRepository settings;
    private final Access access;
    private final CurrentIdentityAssociation identity;
    private final SegmentationConfig config;
    private final ModelRuns runs;
    private final ModelRunRepository stored;

    public ModelGrpcService(
            ModelSettingsRepository settings,
            Access access,
            CurrentIdentityAssociation identity,
            SegmentationConfig config,
            ModelRuns runs,
            ModelRunRepository stored) {
        this.settings = settings;
        this.access = access;
        this.identity = identity;
        this.config = config;
        this.runs = runs;
        this.stored = stored;
    }

    @Override
    public Uni<StartModelRunResponse> startModelRun(StartModelRunRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            Instant now = Instant.now();
            Instant asOf = request.hasAsOf() ? instant("as_of", request.getAsOf()) : now;
            if (asOf.isAfter(now)) {
                throw Errors.invalid("as_of", "a run looks at what happened: the instant cannot be in the future");
            }
            return runs.start(request.getTenant(), asOf, "manual", caller.user())
                    .map(run ->
                            StartModelRunResponse.newBuilder().setRun(run(run)).build());
        });
    }

    @Override
    public Uni<GetModelRunResponse> getModelRun(GetModelRunRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            java.util.UUID id = ModelRuns.id(request.getId())
                    .orElseThrow(() -> Errors.invalid("id", "a run's id is a UUID, was '" + request.getId() + "'"));
            return stored.find(request.getTenant(), id).map(run -> {
                if (run == null) {
                    throw Errors.notFound("no model run " + id + " in tenant " + request.getTenant());
                }
                return GetModelRunResponse.newBuilder().setRun(run(run)).build();
            });
        });
    }

    @Override
    public Uni<ListModelRunsResponse> listModelRuns(ListModelRunsRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            if (request.getLimit() < 0 || request.getLimit() > 100) {
                throw Errors.invalid("limit", "between 1 and 100 (0: 20), was " + request.getLimit());
            }
            int limit = request.getLimit() == 0 ? 20 : request.getLimit();
            return stored.list(request.getTenant(), limit).map(all -> {
                ListModelRunsResponse.Builder out = ListModelRunsResponse.newBuilder();
                all.forEach(run -> out.addRuns(run(run)));
                return out.build();
            });
        });
    }

    @Override
    public Uni<GetAiplFlowsResponse> getAiplFlows(GetAiplFlowsRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            if (!request.hasFrom()) {
                throw Errors.invalid("from", "the period's start is required");
            }
            if (!request.hasTo()) {
                throw Errors.invalid("to", "the period's end is required");
            }
            Instant from = instant("from", request.getFrom());
            Instant to = instant("to", request.getTo());
            if (!from.isBefore(to)) {
                throw Errors.invalid("from", "the period's start must be before its end (" + to + ")");
            }
            if (to.isAfter(Instant.now())) {
                throw Errors.invalid("to", "the period's end cannot be in the future");
            }
            return runs.settings(request.getTenant())
                    .chain(versioned -> runs.flows(request.getTenant(), from, to, versioned.settings())
                            .map(flows -> flowsResponse(flows, versioned.version())));
        });
    }

    private static GetAiplFlowsResponse flowsResponse(ModelRuns.Flows flows, long version) {
        GetAiplFlowsResponse.Builder out = GetAiplFlowsResponse.newBuilder().setSettingsVersion(version);
        for (Aipl.Stage stage : Aipl.Stage.values()) {
            out.putStart(stage.code(), 0);
            out.putEnd(stage.code(), 0);
        }
        Map<Aipl.Stage, Map<Aipl.Stage, Long>> matrix = new java.util.HashMap<>();
        flows.flows()
                .forEach((a, row) -> row.forEach((b, n) -> {
                    out.addFlows(AiplFlow.newBuilder().setFrom(a).setTo(b).setCount(n));
                    if (!a.isEmpty()) {
                        out.putStart(a, out.getStartOrDefault(a, 0) + n);
                    }
                    if (!b.isEmpty()) {
                        out.putEnd(b, out.getEndOrDefault(b, 0) + n);
                    }
                    matrix.computeIfAbsent(Aipl.ofCode(a), k -> new java.util.HashMap<>())
                            .merge(Aipl.ofCode(b), n, Long::sum);
                }));
        Aipl.Fast fast = Aipl.fast(matrix, flows.members(), flows.activeMembers());
        return out.setFertility(fast.fertility())
                .setAdvancing(fast.advancing())
                .setSuperiority(fast.superiority())
                .setThriving(fast.thriving())
                .build();
    }

    private static Instant instant(String field, com.google.protobuf.Timestamp at) {
        if (at.getNanos() < 0 || at.getNanos() > 999_999_999 || at.getSeconds() < 0) {
            throw Errors.invalid(field, "not a valid instant");
        }
        return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
    }

    /** A stored run as the API shows it. */
    static ModelRun run(ModelRunRepository.Stored run) {
        ModelRun.Builder out = ModelRun.newBuilder()
                .setId(run.id().toString())
                .setTenant(run.tenant())
                .setStatus(run.status())
                .setTrigger(run.trigger())
                .setAsOf(timestamp(run.asOf()))
                .setInputsFrom(timestamp(run.inputsFrom()))
                .setSettingsVersion(run.settingsVersion())
                .setStartedAt(timestamp(run.startedAt()))
                .setCreatedBy(run.createdBy());
        if (run.finishedAt() != null) {
            out.setFinishedAt(timestamp(run.finishedAt()))
                    .setDurationMs(
                            run.finishedAt().toEpochMilli() - run.startedAt().toEpochMilli());
        }
        if (run.profiles() != null) {
            out.setProfiles(run.profiles());
        }
        if (run.tagsChanged() != null) {
            out.setTagsChanged(run.tagsChanged());
        }
        if (run.error() != null) {
            out.setError(run.error());
        }
        try {
            if (run.counts() != null) {
                JSON.readTree(run.counts()).properties().forEach(model -> {
                    ClassCounts.Builder classes = ClassCounts.newBuilder();
                    model.getValue()
                            .properties()
                            .forEach(c ->
                                    classes.putCounts(c.getKey(), c.getValue().asLong()));
                    out.putCounts(model.getKey(), classes.build());
                });
            }
            if (run.clv() != null) {
                ClvFit.Builder fit = ClvFit.newBuilder();
                JsonFormat.parser().ignoringUnknownFields().merge(run.clv(), fit);
                out.setClv(fit);
            }
        } catch (JsonProcessingException | InvalidProtocolBufferException e) {
            throw new IllegalStateException("model run " + run.id() + " holds JSON that does not read", e);
        }
        return out.build();
    }

    @Override
    public Uni<GetModelSettingsResponse> getModelSettings(GetModelSettingsRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> settings.latest(request.getTenant())
                        .map(stored -> GetModelSettingsResponse.newBuilder()
                                .setSettings(stored == null ? defaults() : proto(stored))
                                .build()));
    }

    @Override
    public Uni<UpdateModelSettingsResponse> updateModelSettings(UpdateModelSettingsRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            if (request.getExpectedVersion() < 0) {
                throw Errors.invalid("expected_version", "a version is positive (0: any)");
            }
            var given = read("settings", request.getSettings());
            List<Violation> beyond = given.beyond(config.eventRetentionDays());
            if (!beyond.isEmpty()) {
                throw Errors.invalid(beyond.stream()
                        .map(v -> new Errors.Violation("settings." + v.path(), v.message()))
                        .toList());
            }
            String complete = given.json().toString();
            return settings.insert(request.getTenant(), complete, request.getExpectedVersion(), caller.user())
                    .map(stored -> UpdateModelSettingsResponse.newBuilder()
                            .setSettings(proto(stored))
                            .build());
        });
    }

    @Override
    public Uni<ListModelSettingsVersionsResponse> listModelSettingsVersions(ListModelSettingsVersionsRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> settings.versions(request.getTenant()).map(all -> {
                    ListModelSettingsVersionsResponse.Builder out = ListModelSettingsVersionsResponse.newBuilder();
                    all.forEach(stored -> out.addVersions(proto(stored)));
                    return out.build();
                }));
    }

    /**
     * Settings checked whole: not JSON, or each problem found in them, as INVALID_ARGUMENT naming
     * {@code field.<setting>}.
     */
    static io.strata.segmentation.models.ModelSettings read(String field, String text) {
        JsonNode json;
        try {
            json = text == null || text.isBlank() ? null : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw Errors.invalid(field, "not JSON: " + e.getOriginalMessage());
        }
        try {
            return io.strata.segmentation.models.ModelSettings.parse(json);
        } catch (InvalidSettingsException e) {
            List<Errors.Violation> violations = e.violations().stream()
                    .map((Violation v) -> new Errors.Violation(field + "." + v.path(), v.message()))
                    .toList();
            throw Errors.invalid(violations);
        }
    }

    /**
     * A stored version, read over today's defaults (a setting added since takes its default); one
     * that today's checks refuse (a setting renamed, a range narrowed) is shown as it was stored.
     */
    private static ModelSettings proto(ModelSettingsRepository.Stored stored) {
        String settings;
        try {
            settings = read("settings", stored.settings()).json().toString();
        } catch (StatusRuntimeException refused) {
            settings = stored.settings();
        }
        return ModelSettings.newBuilder()
                .setVersion(stored.version())
                .setSettings(settings)
                .setCreatedAt(timestamp(stored.createdAt()))
                .setCreatedBy(stored.createdBy())
                .build();
    }

    private static ModelSettings defaults() {
        return ModelSettings.newBuilder()
                .setVersion(0)
                .setSettings(io.strata.segmentation.models.ModelSettings.DEFAULTS
                        .json()
                        .toString())
                .build();
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }

    private <T> Uni<T> user(String tenant, String role, Function<Caller, Uni<T>> call) {
        return access.call(identity.getDeferredIdentity())
                .forUser(tenant, role)
                .chain(c -> c.within(Uni.createFrom().deferred(() -> call.apply(c))));
    }
}
