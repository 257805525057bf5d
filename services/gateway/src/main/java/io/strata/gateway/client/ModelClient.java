package io.strata.gateway.client;

import com.google.protobuf.Timestamp;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import io.strata.gateway.config.GatewayConfig;
import io.strata.gateway.security.SignedIn;
import io.strata.platform.grpc.ServiceCallInterceptor;
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
import io.strata.proto.segmentation.v1.ModelSettings;
import io.strata.proto.segmentation.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
import io.strata.proto.segmentation.v1.StartModelRunRequest;
import io.strata.proto.segmentation.v1.StartModelRunResponse;
import io.strata.proto.segmentation.v1.UpdateModelSettingsRequest;
import io.strata.proto.segmentation.v1.UpdateModelSettingsResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
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

    public Uni<ModelRun> start(SignedIn user, Instant asOf) {
        StartModelRunRequest.Builder request = StartModelRunRequest.newBuilder().setTenant(user.tenant());
        if (asOf != null) {
            request.setAsOf(timestamp(asOf));
        }
        return forUser(user).startModelRun(request.build()).map(StartModelRunResponse::getRun);
    }

    public Uni<ModelRun> run(SignedIn user, String id) {
        return forUser(user)
                .getModelRun(GetModelRunRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setId(id)
                        .build())
                .map(GetModelRunResponse::getRun);
    }

    public Uni<List<ModelRun>> runs(SignedIn user, int limit) {
        return forUser(user)
                .listModelRuns(ListModelRunsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setLimit(limit)
                        .build())
                .map(ListModelRunsResponse::getRunsList);
    }

    public Uni<GetAiplFlowsResponse> aiplFlows(SignedIn user, Instant from, Instant to) {
        return forUser(user)
                .getAiplFlows(GetAiplFlowsRequest.newBuilder()
                        .setTenant(user.tenant())
                        .setFrom(timestamp(from))
                        .setTo(timestamp(to))
                        .build());
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }
}
