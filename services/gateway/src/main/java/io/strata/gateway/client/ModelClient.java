package io.strata.gateway.client;

import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.security.SignedIn;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.proto.segmentation.v1.GetModelSettingsRequest;
import io.strata.proto.segmentation.v1.GetModelSettingsResponse;
import io.strata.proto.segmentation.v1.ListModelSettingsVersionsRequest;
import io.strata.proto.segmentation.v1.ListModelSettingsVersionsResponse;
import io.strata.proto.segmentation.v1.ModelSettings;
import io.strata.proto.segmentation.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import io.strata.proto.segmentation.v1.UpdateModelSettingsRequest;
import io.strata.proto.segmentation.v1.UpdateModelSettingsResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** segmentation-service's ModelService over gRPC, for a signed-in user of the tenant, with a deadline. */
@ApplicationScoped
public class ModelClient {

    private final MutinyModelServiceStub models;
    private final long deadlineMillis;

    public ModelClient(@GrpcClient("segmentation") MutinyModelServiceStub models, GatewayConfig config) {
        this.models = models;
        this.deadlineMillis = config.calls().deadline().toMillis();
    }

    private MutinyModelServiceStub forUser(SignedIn user) {
        return models.withOption(ServiceCallInterceptor.FOR_USER, user.token())
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    public Uni<ModelSettings> settings(SignedIn user) {
        return forUser(user)
                .getModelSettings(GetModelSettingsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build())
                .map(GetModelSettingsResponse::getSettings);
    }

    public Uni<ModelSettings> update(SignedIn user, String settings, long expectedVersion) {
        return forUser(user)
                .updateModelSettings(UpdateModelSettingsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setSettings(settings)
                        .setExpectedVersion(expectedVersion)
                        .build())
                .map(UpdateModelSettingsResponse::getSettings);
    }

    public Uni<List<ModelSettings>> versions(SignedIn user) {
        return forUser(user)
                .listModelSettingsVersions(ListModelSettingsVersionsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .build())
                .map(ListModelSettingsVersionsResponse::getVersionsList);
    }
}
