package io.strata.gateway.rest;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.GetModelSettingsRequest;
import io.strata.proto.segmentation.v1.GetModelSettingsResponse;
import io.strata.proto.segmentation.v1.ListModelSettingsVersionsRequest;
import io.strata.proto.segmentation.v1.ListModelSettingsVersionsResponse;
import io.strata.proto.segmentation.v1.ModelService;
import io.strata.proto.segmentation.v1.ModelSettings;
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
}
