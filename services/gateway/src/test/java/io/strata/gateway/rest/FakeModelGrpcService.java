package io.strata.gateway.rest;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.AiplFlow;
import io.strata.proto.segmentation.v1.ClassCounts;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for segmentation-service's ModelService: tenant "demo" is at version 2 of its settings;
 * a new version is 3 and echoes what was sent; settings naming "hours" are refused naming
 * {@code settings.lifecycle.hours}, an expected version other than 2 is stale. Keeps the requests.
 */
@GrpcService
public class FakeModelGrpcService implements ModelService {

    static final List<com.google.protobuf.Message> requests = new CopyOnWriteArrayList<>();

    private final Access access;
    private final CurrentIdentityAssociation identity;

    public FakeModelGrpcService(Access access, CurrentIdentityAssociation identity) {
        this.access = access;
        this.identity = identity;
    }

    private <T> Uni<T> checked(String tenant, String role, java.util.function.Supplier<T> call) {
        return access.forUser(identity.getDeferredIdentity(), tenant, role).map(caller -> call.get());
    }

    static ModelSettings current() {
        return ModelSettings.newBuilder()
                .setVersion(2)
                .setSettings("{\"churn\":{\"window_days\":30,\"max_share\":0.5}}")
                .setCreatedBy("mia")
                .build();
    }

    @Override
    public Uni<GetModelSettingsResponse> getModelSettings(GetModelSettingsRequest request) {
        return checked(request.getTenant(), Roles.VIEWER, () -> {
            requests.add(request);
            return GetModelSettingsResponse.newBuilder().setSettings(current()).build();
        });
    }

    @Override
    public Uni<UpdateModelSettingsResponse> updateModelSettings(UpdateModelSettingsRequest request) {
        return checked(request.getTenant(), Roles.MARKETER, () -> {
            requests.add(request);
            if (request.getSettings().contains("hours")) {
                throw Errors.invalid("settings.lifecycle.hours", "is not a setting");
            }
            if (request.getExpectedVersion() != 0 && request.getExpectedVersion() != 2) {
                throw Errors.precondition("the model settings are at version 2");
            }
            return UpdateModelSettingsResponse.newBuilder()
                    .setSettings(ModelSettings.newBuilder()
                            .setVersion(3)
                            .setSettings(request.getSettings())
                            .setCreatedBy("mia"))
                    .build();
        });
    }

    @Override
    public Uni<ListModelSettingsVersionsResponse> listModelSettingsVersions(ListModelSettingsVersionsRequest request) {
        return checked(
                request.getTenant(),
                Roles.VIEWER,
                () -> ListModelSettingsVersionsResponse.newBuilder()
                        .addVersions(current())
                        .addVersions(ModelSettings.newBuilder()
                                .setVersion(1)
                                .setSettings("{}")
                                .setCreatedBy("alice"))
                        .build());
    }

    /** A run of tenant "demo", done; its id. */
    static final String RUN = "5b11c412-8e46-4bb1-a84d-d9e3f7282165";

    static ModelRun run(String status) {
        return ModelRun.newBuilder()
                .setId(RUN)
                .setTenant("demo")
                .setStatus(status)
                .setTrigger("manual")
                .setAsOf(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_782_835_200L))
                .setSettingsVersion(2)
                .setProfiles(12)
                .putCounts(
                        "churn_risk",
                        ClassCounts.newBuilder()
                                .putCounts("true", 3)
                                .putCounts("false", 9)
                                .build())
                .setCreatedBy("mia")
                .build();
    }

    @Override
    public Uni<StartModelRunResponse> startModelRun(StartModelRunRequest request) {
        return checked(request.getTenant(), Roles.MARKETER, () -> {
            requests.add(request);
            return StartModelRunResponse.newBuilder().setRun(run("running")).build();
        });
    }

    @Override
    public Uni<GetModelRunResponse> getModelRun(GetModelRunRequest request) {
        return checked(request.getTenant(), Roles.VIEWER, () -> {
            if (!request.getId().equals(RUN)) {
                throw Errors.notFound("no model run " + request.getId());
            }
            return GetModelRunResponse.newBuilder().setRun(run("done")).build();
        });
    }

    @Override
    public Uni<ListModelRunsResponse> listModelRuns(ListModelRunsRequest request) {
        return checked(request.getTenant(), Roles.VIEWER, () -> {
            requests.add(request);
            return ListModelRunsResponse.newBuilder()
                    .addRuns(run("running").toBuilder().setId("newer"))
                    .addRuns(run("done"))
                    .build();
        });
    }

    @Override
    public Uni<GetAiplFlowsResponse> getAiplFlows(GetAiplFlowsRequest request) {
        return checked(request.getTenant(), Roles.VIEWER, () -> {
            requests.add(request);
            return GetAiplFlowsResponse.newBuilder()
                    .addFlows(
                            AiplFlow.newBuilder().setFrom("").setTo("awareness").setCount(4))
                    .addFlows(AiplFlow.newBuilder()
                            .setFrom("interest")
                            .setTo("purchase")
                            .setCount(2))
                    .setFertility(6)
                    .setAdvancing(2.0 / 6)
                    .build();
        });
    }
}
