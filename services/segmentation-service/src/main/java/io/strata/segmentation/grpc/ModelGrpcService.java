package io.strata.segmentation.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Caller;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.GetModelSettingsRequest;
import io.strata.proto.segmentation.v1.GetModelSettingsResponse;
import io.strata.proto.segmentation.v1.ListModelSettingsVersionsRequest;
import io.strata.proto.segmentation.v1.ListModelSettingsVersionsResponse;
import io.strata.proto.segmentation.v1.ModelService;
import io.strata.proto.segmentation.v1.ModelSettings;
import io.strata.proto.segmentation.v1.UpdateModelSettingsRequest;
import io.strata.proto.segmentation.v1.UpdateModelSettingsResponse;
import io.strata.segmentation.config.SegmentationConfig;
import io.strata.segmentation.models.InvalidSettingsException;
import io.strata.segmentation.repository.ModelSettingsRepository;
import io.strata.segmentation.rules.Violation;
import jakarta.annotation.security.RolesAllowed;
import java.time.Instant;
import java.util.List;
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

    public ModelGrpcService(
            ModelSettingsRepository settings,
            Access access,
            CurrentIdentityAssociation identity,
            SegmentationConfig config) {
        this.settings = settings;
        this.access = access;
        this.identity = identity;
        this.config = config;
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
