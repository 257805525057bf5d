package io.strata.segmentation.client;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.platform.logging.LogSafe;
import io.strata.proto.profile.v1.MutinyProfileServiceGrpc;
import io.strata.proto.profile.v1.ResendProfilesRequest;
import io.strata.segmentation.config.SegmentationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Asks profile-service to send every profile of a tenant again ({@code ResendProfiles}, with this
 * service's own token) when a partition's stored state had to be forgotten because its feed no
 * longer holds it (the topics made anew, records lost): the feed from its beginning then holds
 * only the changes since, not the profiles whole. Each profile comes back as one record at its
 * version; partitions that have it already take it as a redelivery. Events are not sent again:
 * event conditions see the events from then on.
 *
 * <p>A tenant is asked at most once per {@code resend.min-interval} (a feed made anew discards
 * every partition at once); a call that fails is retried with back-off in the background.
 */
@ApplicationScoped
public class ProfileResends {

    private static final Logger LOG = Logger.getLogger(ProfileResends.class);

    private final MutinyProfileServiceGrpc.MutinyProfileServiceStub profiles;
    private final SegmentationConfig config;
    private final Map<String, Instant> asked = new ConcurrentHashMap<>();
    private final Counter requested;
    private final Counter failed;

    public ProfileResends(
            @GrpcClient("profile") Channel channel,
            ReplicaTokens tokens,
            SegmentationConfig config,
            MeterRegistry registry) {
        this.profiles = MutinyProfileServiceGrpc.newMutinyStub(
                ClientInterceptors.intercept(channel, new ServiceCallInterceptor(tokens)));
        this.config = config;
        this.requested = registry.counter("strata_segmentation_profile_resends_total", "outcome", "requested");
        this.failed = registry.counter("strata_segmentation_profile_resends_total", "outcome", "failed");
    }

    /**
     * Whether a failed call may succeed later: profile-service away or slow. (A call that timed out
     * may have started a resend already; a second one costs a pass, not a wrong state.) Refusals
     * (a permission, an unknown tenant) are not asked again.
     */
    private static boolean worthRetrying(Throwable failure) {
        if (failure instanceof io.smallrye.mutiny.TimeoutException) {
            return true;
        }
        Status.Code code = Status.fromThrowable(failure).getCode();
        return code == Status.Code.UNAVAILABLE
                || code == Status.Code.DEADLINE_EXCEEDED
                || code == Status.Code.RESOURCE_EXHAUSTED
                || code == Status.Code.UNKNOWN;
    }

    /** Asks for the tenants' profiles again (those not asked lately); returns at once. */
    public void request(Collection<String> tenants, String why) {
        if (!config.resend().enabled()) {
            LOG.warnf("%s: the profiles of %s are not asked for again (resend.enabled is false)", why, tenants);
            return;
        }
        Instant now = Instant.now();
        for (String tenant : tenants) {
            Instant last = asked.get(tenant);
            if (last != null && now.isBefore(last.plus(config.resend().minInterval()))) {
                continue;
            }
            asked.put(tenant, now);
            profiles.resendProfiles(
                            ResendProfilesRequest.newBuilder().setTenant(tenant).build())
                    .ifNoItem()
                    .after(Duration.ofSeconds(30))
                    .fail()
                    .onFailure(ProfileResends::worthRetrying)
                    .retry()
                    .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                    .atMost(config.resend().attempts())
                    .subscribe()
                    .with(
                            response -> {
                                requested.increment();
                                LOG.infof(
                                        "tenant %s: profile-service sends every profile again (job %s) — %s",
                                        tenant, response.getJob().getId(), why);
                            },
                            failure -> {
                                failed.increment();
                                asked.remove(tenant);
                                LOG.errorf(
                                        "tenant %s: profile-service could not be asked to send every profile again"
                                                + " (%s); ask it by hand (ResendProfiles) — %s",
                                        tenant, LogSafe.text(failure.getMessage()), why);
                            });
        }
    }
}
