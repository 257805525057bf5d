package io.strata.campaign.client;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.quarkus.grpc.GrpcClient;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.platform.grpc.TokenSource;
import io.strata.proto.profile.v1.ConsentUpdate;
import io.strata.proto.profile.v1.MutinyProfileServiceGrpc;
import io.strata.proto.profile.v1.MutinyTagServiceGrpc;
import io.strata.proto.profile.v1.RefusedRow;
import io.strata.proto.profile.v1.SetConsentsRequest;
import io.strata.proto.profile.v1.SetTagsRequest;
import io.strata.proto.profile.v1.TagAssignment;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * profile-service, which owns tags and consent: the tag updates journeys make and the opt-outs
 * people reply are relayed to it (SetTags as "model:strata-campaign-service", SetConsents), with this
 * service's own token. Blocking calls, for the relay's worker thread.
 */
@ApplicationScoped
public class Profiles {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final MutinyTagServiceGrpc.MutinyTagServiceStub tags;
    private final MutinyProfileServiceGrpc.MutinyProfileServiceStub profiles;

    public Profiles(@GrpcClient("profile") Channel channel, TokenSource tokens) {
        Channel authorised = ClientInterceptors.intercept(channel, new ServiceCallInterceptor(tokens));
        this.tags = MutinyTagServiceGrpc.newMutinyStub(authorised);
        this.profiles = MutinyProfileServiceGrpc.newMutinyStub(authorised);
    }

    /** Sets (or removes) one tag on profiles; the rows profile-service refused. */
    public List<RefusedRow> setTags(String tenant, String tag, List<TagAssignment> assignments) {
        return tags.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .setTags(SetTagsRequest.newBuilder()
                        .setTenant(tenant)
                        .setTagKey(tag)
                        .addAllAssignments(assignments)
                        .build())
                .await()
                .atMost(DEADLINE.plusSeconds(1))
                .getRefusedList();
    }

    /** Records consent statements; the rows profile-service refused. */
    public List<RefusedRow> setConsents(String tenant, List<ConsentUpdate> updates) {
        return profiles.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .setConsents(SetConsentsRequest.newBuilder()
                        .setTenant(tenant)
                        .addAllUpdates(updates)
                        .build())
                .await()
                .atMost(DEADLINE.plusSeconds(1))
                .getRefusedList();
    }
}
